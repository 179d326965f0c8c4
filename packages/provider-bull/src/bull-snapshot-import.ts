/**
 * `importJobs` for Bull: one batch of snapshots the kit's import pipeline has checked
 * (`importInBatches`) in, Bull jobs out.
 *
 * The ids are claimed in the job index in one transaction (HSETNX, so an id taken by a job of any name is reported as
 * `skipped`, or removed first and `replaced`); then the batch is stored per job name.
 * An import killed between the two (a migration's SIGKILL) leaves ids claimed without
 * their jobs; the next import finds those claims (`claimsLeftWithoutJob`) and stores
 * the jobs, so running the migration again finishes it. The batch is stored:
 * - scheduled and waiting jobs with one `queue.addBulk`;
 * - repeating jobs with `queue.add` (Bull's addBulk does not take `repeat`);
 * - completed and failed jobs, which Bull has no API to add, by writing the job hash
 *   and the finished set exactly as Bull's own moveToFinished script leaves them.
 */
import type Bull from 'bull';
import type { Redis } from 'ioredis';
import { emptyImportReport, type ImportReport, type JobSnapshot } from '@switchyard/core';
import { toBullJobId } from './bull-job-id.js';
import { bullJobIdOf, newIndexEntry, type BullJobIndex, type IndexEntry } from './bull-job-index.js';
import { BULL_DEFAULT_JOB_NAME, bullRepeatKey } from './bull-repeat.js';
import { snapshotToBullJobOptions, type BullJobToAdd } from './to-bull-job-options.js';

/** Snapshots per batch: each is one claim script and one `addBulk` per name. */
export const IMPORT_BATCH_SIZE = 100;

/** What the import needs from the provider. */
export interface SnapshotImportTarget {
  index: BullJobIndex;
  redis(): Redis;
  queueFor(name: string): Promise<Bull.Queue>;
  /** The Redis key of a Bull queue's list/set or job hash. */
  bullKey(name: string, suffix: string): string;
  /** Removes the job `id` for a replacement: 'active' when it is running and cannot be. */
  removeJob(id: string, entry: IndexEntry): Promise<'removed' | 'active' | 'missing'>;
}

type Outcome = 'imported' | 'replaced';

export async function importSnapshotBatch(
  target: SnapshotImportTarget,
  valid: JobSnapshot[],
  onExisting: 'skip' | 'replace',
): Promise<ImportReport> {
  const report = emptyImportReport();
  const claimed = await target.index.claimAll(
    valid.map((snapshot) => ({ id: snapshot.id, entry: indexEntryOf(snapshot) })),
  );
  const orphaned = await claimsLeftWithoutJob(
    target,
    valid.filter((snapshot) => !claimed.has(snapshot.id)),
  );
  const toStore: { snapshot: JobSnapshot; outcome: Outcome }[] = [];
  for (const snapshot of valid) {
    const earlierInBatch = toStore.some((item) => item.snapshot.id === snapshot.id);
    if (claimed.has(snapshot.id) || (orphaned.has(snapshot.id) && !earlierInBatch)) {
      toStore.push({ snapshot, outcome: 'imported' });
    } else if (onExisting === 'skip' || earlierInBatch) {
      report.skipped.push(snapshot.id);
    } else {
      const existing = await target.index.lookup(snapshot.id);
      const removal = existing === null ? 'missing' : await target.removeJob(snapshot.id, existing);
      if (removal === 'active') {
        report.errors.push({ id: snapshot.id, reason: 'the existing job is active and cannot be replaced' });
        continue;
      }
      await target.index.overwrite(snapshot.id, indexEntryOf(snapshot));
      toStore.push({ snapshot, outcome: 'replaced' });
    }
  }

  const byName = new Map<string, { snapshot: JobSnapshot; outcome: Outcome }[]>();
  for (const item of toStore) byName.set(item.snapshot.name, [...(byName.get(item.snapshot.name) ?? []), item]);
  const stored = new Set<string>();
  for (const [name, items] of byName) {
    try {
      await storeJobsOfName(
        target,
        name,
        items.map((item) => item.snapshot),
      );
      for (const item of items) stored.add(item.snapshot.id);
    } catch (error) {
      await target.index.release(items.map((item) => item.snapshot.id)).catch(() => {});
      for (const item of items) report.errors.push({ id: item.snapshot.id, reason: (error as Error).message });
    }
  }
  // Reported in input order.
  for (const { snapshot, outcome } of toStore) {
    if (stored.has(snapshot.id)) report[outcome].push(snapshot.id);
  }
  return report;
}

/**
 * The ids among `snapshots` that the index claims for a job that is not there: no job
 * hash under the claimed name and Bull id, or for a series no repeatable. An import
 * stored nothing for them after claiming them; their claims become the snapshots'
 * (as BullMQ's import takes over such claims). A producer that claimed an id a moment
 * ago and is adding its job now would look the same: then both add, and Bull keeps one
 * job per id, as `BullJobWriter` relies on for its own retry.
 */
async function claimsLeftWithoutJob(target: SnapshotImportTarget, snapshots: JobSnapshot[]): Promise<Set<string>> {
  const entries = await target.index.entriesOf(snapshots.map((snapshot) => snapshot.id));
  const candidates = snapshots.flatMap((snapshot, index) => {
    const entry = entries[index];
    return entry !== null && entry !== undefined ? [{ snapshot, entry }] : [];
  });
  if (candidates.length === 0) return new Set();
  const lookups = target.redis().multi();
  for (const { snapshot, entry } of candidates) {
    const bullJobId = bullJobIdOf(snapshot.id, entry);
    if (entry.repeat === undefined) lookups.exists(target.bullKey(entry.name, bullJobId));
    else lookups.zscore(target.bullKey(entry.name, 'repeat'), bullRepeatKey(bullJobId, entry.repeat));
  }
  const found = (await lookups.exec()) ?? [];
  const orphaned = new Set<string>();
  for (const [index, { snapshot, entry }] of candidates.entries()) {
    const [error, value] = found[index] ?? [new Error('no reply')];
    if (error !== null) throw error;
    if (value !== 0 && value !== null) continue;
    // The claim may be of another name or shape (a series claim for a one-off snapshot, an earlier version's verbatim id).
    const current = indexEntryOf(snapshot);
    if (JSON.stringify(current) !== JSON.stringify(entry)) await target.index.overwrite(snapshot.id, current);
    orphaned.add(snapshot.id);
  }
  return orphaned;
}

async function storeJobsOfName(target: SnapshotImportTarget, name: string, snapshots: JobSnapshot[]): Promise<void> {
  const queue = await target.queueFor(name);
  const now = Date.now();
  const pending: JobSnapshot[] = [];
  for (const snapshot of snapshots) {
    const job = snapshotToBullJobOptions(snapshot, now);
    if (snapshot.repeat !== null) {
      await target.index.rememberRepeatKey(bullRepeatKey(toBullJobId(snapshot.id), snapshot.repeat), snapshot.id);
      await queue.add(BULL_DEFAULT_JOB_NAME, job.data, job.opts);
    } else if (snapshot.state === 'completed' || snapshot.state === 'failed') {
      await writeFinishedJob(target, name, snapshot, job, now);
    } else {
      pending.push(snapshot);
    }
  }
  if (pending.length === 0) return;
  await queue.addBulk(
    pending.map((snapshot) => ({ name: BULL_DEFAULT_JOB_NAME, ...snapshotToBullJobOptions(snapshot, now) })),
  );
  // Bull's add always starts at 0 attempts; a job that had failed attempts before keeps their count.
  const withAttempts = pending.filter((snapshot) => snapshot.attemptsMade > 0);
  if (withAttempts.length > 0) {
    const multi = target.redis().multi();
    for (const snapshot of withAttempts)
      multi.hset(target.bullKey(name, toBullJobId(snapshot.id)), 'attemptsMade', snapshot.attemptsMade);
    await multi.exec();
  }
}

/** A finished job as Bull's moveToFinished script leaves it: the job hash, and its id in the finished set. */
async function writeFinishedJob(
  target: SnapshotImportTarget,
  name: string,
  snapshot: JobSnapshot,
  job: BullJobToAdd,
  now: number,
): Promise<void> {
  const completed = snapshot.state === 'completed';
  // Bull counts failed attempts only; the snapshot counts the successful one too.
  const bullAttemptsMade = Math.max(0, snapshot.attemptsMade - (completed ? 1 : 0));
  const bullJobId = toBullJobId(snapshot.id);
  await target
    .redis()
    .multi()
    .hset(target.bullKey(name, bullJobId), {
      name: BULL_DEFAULT_JOB_NAME,
      data: JSON.stringify(job.data),
      opts: JSON.stringify({ ...job.opts, delay: 0 }),
      timestamp: Date.parse(snapshot.createdAt),
      delay: 0,
      priority: snapshot.priority,
      attemptsMade: bullAttemptsMade,
      stacktrace: '[]',
      processedOn: now,
      finishedOn: now,
      ...(snapshot.failedReason === undefined ? {} : { failedReason: snapshot.failedReason }),
    })
    .zadd(target.bullKey(name, snapshot.state), now, bullJobId)
    .exec();
}

function indexEntryOf(snapshot: JobSnapshot): IndexEntry {
  return newIndexEntry(
    snapshot.id,
    snapshot.name,
    snapshot.repeat === null ? undefined : { repeat: snapshot.repeat, createdAt: Date.parse(snapshot.createdAt) },
  );
}
