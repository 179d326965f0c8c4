import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from './errors.js';
import type { JobState } from './job.js';
import type { JobSnapshot } from './job-snapshot.js';
import { normalizeExportQuery } from './list-query.js';
import type { QueueProvider } from './queue-provider.js';

export const DEFAULT_MIGRATION_STATES: readonly JobState[] = ['scheduled', 'waiting', 'failed'];
export const DEFAULT_MIGRATION_BATCH_SIZE = 500;

export interface MigrateOptions {
  /** Only these job names; default every name. */
  names?: string[];
  /** Only jobs in these states; default scheduled, waiting and failed. `active` is never moved. */
  states?: JobState[];
  /** `copy` leaves the source as it was; `move` deletes from the source what was verified on the target. Default copy. */
  mode?: 'copy' | 'move';
  /** Read the source and report what would happen; write nothing anywhere. */
  dryRun?: boolean;
  /** Snapshots imported per `importJobs` call; default 500. */
  batchSize?: number;
  /** Called after each batch and each deletion round. */
  onProgress?: (progress: MigrationProgress) => void;
}

/** Counts per job name; the summary table's columns. */
export interface MigrationCounts {
  exported: number;
  imported: number;
  /** Already on the target with the same content (a re-run after an interruption). */
  skipped: number;
  verified: number;
  deleted: number;
  failed: number;
}

export interface MigrationProgress {
  phase: 'copy' | 'delete';
  /** Jobs handled so far in this phase. */
  done: number;
  /** Known in the delete phase; null while copying a stream of unknown length. */
  total: number | null;
}

export interface MigrationReport {
  mode: 'copy' | 'move';
  dryRun: boolean;
  byName: Record<string, MigrationCounts>;
  totals: MigrationCounts;
  /** Running while we looked: left in place on the source. */
  activeLeftInPlace: { id: string; name: string }[];
  failures: { id: string; name: string; reason: string }[];
  /**
   * Set when a move stopped deleting because jobs verified on the target were gone
   * from it when their batch came to be deleted (the target lost acknowledged writes:
   * a failover, a restart without persistence). Those jobs are failures; they and
   * every job after them were left on the source.
   */
  deletionStopped: { missingOnTarget: number; leftOnSource: number } | null;
  /** Every selected job is on the target (and, when moving, gone from the source). */
  complete: boolean;
}

/**
 * Moves (or copies) jobs from one provider to another with nothing lost and nothing
 * doubled, `jobId` being the key on both sides.
 *
 * 1. Copy: stream `from.exportJobs()` in batches into `to.importJobs()` (existing ids
 *    are skipped), then verify each id on the target: same name and data, else it is a
 *    failure and is never deleted from the source.
 * 2. Move only: delete from the source exactly the ids that were verified, a batch at a
 *    time, each batch looked up on the target again first. A target can lose what it
 *    acknowledged (a failover rolling back writes, a restart without persistence): if
 *    any job of the batch is gone, nothing more is deleted, those jobs are reported as
 *    failures and the run is incomplete, so at most the batch being deleted when the
 *    target lost its data is lost. A job that started running on the source meanwhile
 *    cannot be deleted there, so its copy is withdrawn from the target and it is
 *    reported as left in place.
 *
 * Deleting only after the whole copy means the export is never disturbed by its own
 * deletions, and running it again after a crash at any point finishes the job: what
 * was copied is skipped and verified, what was deleted is simply no longer exported.
 * Memory stays bounded by the batch size, plus one id per job in a move (the ids that
 * phase 2 deletes).
 *
 * @example
 * ```ts
 * const report = await migrateJobs(bull, agenda, { mode: 'move', names: ['booking-reminder'] });
 * if (!report.complete) process.exitCode = 1;
 * ```
 */
export async function migrateJobs(
  from: QueueProvider,
  to: QueueProvider,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  if (from === to) throw new ValidationError('to', 'must be a different provider from the source');
  const mode = options.mode ?? 'copy';
  if (mode !== 'copy' && mode !== 'move') throw new ValidationError('mode', "must be 'copy' or 'move'");
  const batchSize = options.batchSize ?? DEFAULT_MIGRATION_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new ValidationError('batchSize', 'must be a whole number from 1 to 10000');
  }
  const { names, states } = normalizeExportQuery({
    ...(options.names === undefined ? {} : { names: options.names }),
    states: options.states ?? [...DEFAULT_MIGRATION_STATES],
  });
  const selected = states.filter((state) => state !== 'active');
  const dryRun = options.dryRun === true;

  const report: MigrationReport = {
    mode,
    dryRun,
    byName: {},
    totals: emptyCounts(),
    activeLeftInPlace: [],
    failures: [],
    deletionStopped: null,
    complete: false,
  };
  const count = (name: string, field: keyof MigrationCounts, by = 1) => {
    (report.byName[name] ??= emptyCounts())[field] += by;
    report.totals[field] += by;
  };
  const fail = (snapshot: Pick<JobSnapshot, 'id' | 'name'>, reason: string) => {
    count(snapshot.name, 'failed');
    report.failures.push({ id: snapshot.id, name: snapshot.name, reason });
  };

  // Phase 1: copy and verify. Active jobs are asked for too, to report them.
  // The verified ids are kept for phase 2 only: a copy of 100,000 jobs need not hold them.
  const verified: { id: string; name: string }[] = [];
  let batch: JobSnapshot[] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    if (!dryRun) {
      const landed = await copyBatch(to, current, count, fail);
      if (mode === 'move') verified.push(...landed);
    }
    copied += current.length;
    options.onProgress?.({ phase: 'copy', done: copied, total: null });
  };
  const query = { ...(names === null ? {} : { names }), states: [...selected, 'active' as const] };
  for await (const snapshot of from.exportJobs(query)) {
    if (snapshot.state === 'active') {
      report.activeLeftInPlace.push({ id: snapshot.id, name: snapshot.name });
      continue;
    }
    count(snapshot.name, 'exported');
    batch.push(snapshot);
    if (batch.length >= batchSize) await flush();
  }
  await flush();

  // Phase 2: delete from the source what is safely on the target, checked again per batch.
  let withdrawn = 0;
  if (mode === 'move' && !dryRun) {
    for (let start = 0; start < verified.length; start += batchSize) {
      const jobs = verified.slice(start, start + batchSize);
      const missing = await missingOnTarget(to, jobs);
      if (missing.length > 0) {
        for (const job of missing) {
          count(job.name, 'verified', -1);
          fail(job, 'verified on the target, then gone from it before deletion: kept on the source');
        }
        report.deletionStopped = { missingOnTarget: missing.length, leftOnSource: verified.length - start };
        break;
      }
      for (const job of jobs) {
        if (await from.cancelJob(job.id)) {
          count(job.name, 'deleted');
        } else if ((await from.getJob(job.id)) !== null) {
          // It started running on the source after we exported it: keep that one, withdraw the copy.
          await to.cancelJob(job.id);
          count(job.name, 'verified', -1);
          withdrawn += 1;
          report.activeLeftInPlace.push(job);
        } else {
          // Gone from the source by itself (cancelled meanwhile); the copy is what remains.
          count(job.name, 'deleted');
        }
      }
      options.onProgress?.({ phase: 'delete', done: start + jobs.length, total: verified.length });
    }
  }

  const t = report.totals;
  report.complete =
    !dryRun && t.failed === 0 && t.verified + withdrawn === t.exported && (mode === 'copy' || t.deleted === t.verified);
  return report;
}

async function copyBatch(
  to: QueueProvider,
  batch: JobSnapshot[],
  count: (name: string, field: keyof MigrationCounts, by?: number) => void,
  fail: (snapshot: JobSnapshot, reason: string) => void,
): Promise<{ id: string; name: string }[]> {
  const result = await to.importJobs(batch, { onExisting: 'skip' });
  const errors = new Map(result.errors.map((error) => [error.id, error.reason]));
  const skipped = new Set(result.skipped);
  // Look every copy up at once: a batch is bounded, and round trips dominate on a network backend.
  const landed = await Promise.all(batch.map((snapshot) => (errors.has(snapshot.id) ? null : to.getJob(snapshot.id))));
  const verified: { id: string; name: string }[] = [];
  batch.forEach((snapshot, index) => {
    const error = errors.get(snapshot.id);
    if (error !== undefined) {
      fail(snapshot, `import failed: ${error}`);
      return;
    }
    count(snapshot.name, skipped.has(snapshot.id) ? 'skipped' : 'imported');
    const copy = landed[index];
    if (copy === null || copy === undefined) {
      fail(snapshot, 'not found on the target after import');
    } else if (copy.name !== snapshot.name || !isDeepStrictEqual(copy.data, snapshot.data)) {
      // Same id, different job: never delete the source's job for it.
      fail(snapshot, `a different job with this id exists on the target (name ${copy.name})`);
    } else {
      count(snapshot.name, 'verified');
      verified.push({ id: snapshot.id, name: snapshot.name });
    }
  });
  return verified;
}

/** The jobs of `jobs` that the target no longer holds under the same name, looked up all at once. */
async function missingOnTarget(
  to: QueueProvider,
  jobs: { id: string; name: string }[],
): Promise<{ id: string; name: string }[]> {
  const found = await Promise.all(jobs.map((job) => to.getJob(job.id)));
  return jobs.filter((job, index) => found[index]?.name !== job.name);
}

function emptyCounts(): MigrationCounts {
  return { exported: 0, imported: 0, skipped: 0, verified: 0, deleted: 0, failed: 0 };
}
