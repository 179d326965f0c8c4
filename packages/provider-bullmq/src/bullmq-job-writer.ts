import {
  emptyImportReport,
  type CleanOptions,
  type ImportReport,
  type JobSnapshot,
  type Logger,
  type ValidatedSchedule,
} from '@switchyard/core';
import { newJobId } from '@switchyard/core/provider-kit';
import type { BullMQBackend, FinishedJob } from './bullmq-backend.js';
import { fromBullMQJobId, toBullMQJobId } from './bullmq-job-id.js';
import type { JobLocation } from './bullmq-job-reader.js';
import { mapInPages } from './in-pages.js';
import type { LocalPauses } from './local-pauses.js';
import type { PendingReleases } from './pending-releases.js';
import type { BullMQQueues } from './bullmq-queues.js';
import { toSchedulerRepeat } from './bullmq-repeat.js';
import {
  isNullData,
  snapshotToBullMQJobOptions,
  toBullMQBackoff,
  toBullMQJobOptions,
  toStoredData,
  type SwitchyardJobMeta,
  type SwitchyardJobsOptions,
} from './to-bullmq-job-options.js';

/** Calls sent together on PostgreSQL: no more than the backend's pool serves (see `mapInPages`). */
const POSTGRES_CALLS_AT_ONCE = 10;

/** Everything the provider writes: schedules, cancels, retries, pauses, cleans and imports. */
export class BullMQJobWriter {
  constructor(
    private readonly backend: () => BullMQBackend,
    private readonly queues: BullMQQueues,
    private readonly locate: (jobId: string) => Promise<JobLocation | null>,
    /** Names registered in this process, paused by `pause()` with no name even before their first job. */
    private readonly registeredNames: () => Iterable<string>,
    private readonly logger: Logger,
    /** Ids of removed jobs not yet freed: one scheduled again is taken off first. */
    private readonly releases: PendingReleases,
    private readonly pauses: LocalPauses,
  ) {}

  async schedule(schedule: ValidatedSchedule): Promise<string> {
    const { directory } = this.backend();
    if (schedule.jobId === undefined && schedule.repeat === undefined && !directory.claimsGeneratedIds) {
      // A fresh random id: nothing to claim, so BullMQ's add is the one call.
      const id = newJobId();
      await directory.noteName(schedule.name);
      const options = toBullMQJobOptions(schedule, id, Date.now());
      options.switchyard!.unclaimed = true;
      const data = this.storedData(schedule.data, options.switchyard!);
      await this.queues.queueFor(schedule.name).add(schedule.name, data, options);
      this.wakeWorkersWhenDue(schedule);
      return id;
    }
    const id = schedule.jobId ?? newJobId();
    this.releases.cancel(id);
    const claimed = await directory.claim([{ id, name: schedule.name }]);
    if (!claimed.has(id)) {
      await this.addIfClaimedWithoutJob(id, schedule);
      return id;
    }
    try {
      await this.add(id, schedule);
    } catch (error) {
      // Nothing was stored: free the id again.
      await directory.release([id]).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Adds the job, or for a repeating one its job scheduler, under an id claimed for it. */
  private async add(id: string, schedule: ValidatedSchedule): Promise<void> {
    const now = Date.now();
    if (schedule.repeat !== undefined) {
      const meta: SwitchyardJobMeta = { ...seriesMeta(schedule), id, repeat: schedule.repeat, createdAt: now };
      const data = this.storedData(schedule.data, meta);
      await this.addScheduler(
        schedule.name,
        id,
        data,
        { ...seriesTemplate(schedule), switchyard: meta },
        toSchedulerRepeat(schedule.repeat, now),
      );
    } else {
      const opts = toBullMQJobOptions(schedule, id, now);
      const data = this.storedData(schedule.data, opts.switchyard!);
      await this.queues.queueFor(schedule.name).add(schedule.name, data, opts);
      this.wakeWorkersWhenDue(schedule);
    }
  }

  /** A delayed job: this process's workers of its name wake when it falls due (see delayed-wake-ups.ts). */
  private wakeWorkersWhenDue({ name, runAt }: ValidatedSchedule): void {
    if (runAt.getTime() > Date.now()) this.backend().wakeUps?.noteDue(name, runAt.getTime());
  }

  /**
   * The id is taken, nearly always by its stored job. But a claim can be left without its
   * job when the server goes away mid-call: the claim was stored and its reply lost (on
   * Redis, ioredis sends the command again once reconnected, and that second claim finds
   * the first), or the add failed and so did freeing the id; the caller then tries again,
   * and a no-op would lose the job. So the job is added now. BullMQ adds nothing for a job
   * id its queue already holds, and upserts a job scheduler, so a producer racing on the
   * same id cannot double the job.
   */
  private async addIfClaimedWithoutJob(id: string, schedule: ValidatedSchedule): Promise<void> {
    if ((await this.backend().directory.nameOf(id)) !== schedule.name) return;
    const queue = this.queues.queueFor(schedule.name);
    const bullmqId = toBullMQJobId(id);
    // Either kind holds the id, whatever this call asks for: a series and a single job share ids.
    const [job, scheduler] = await Promise.all([queue.getJob(bullmqId), queue.getJobScheduler(bullmqId)]);
    if ((job !== undefined && job !== null) || (scheduler !== undefined && scheduler !== null)) return;
    await this.add(id, schedule);
    this.logger.warn('job id was claimed without its job (connection lost mid-call): job added', {
      provider: 'bullmq',
      jobName: schedule.name,
      jobId: id,
    });
  }

  async cancel(jobId: string): Promise<boolean> {
    const location = await this.locate(jobId);
    if (location === null) return false;
    const queue = this.queues.queueFor(location.name);
    const job = await queue.getJob(location.bullmqId);
    if (job !== undefined && job !== null) {
      // 0 for an active job: its worker holds its lock.
      if ((await queue.remove(location.bullmqId)) !== 1) return false;
    } else if (!(await queue.removeJobScheduler(location.bullmqId))) {
      return false;
    }
    await this.backend().directory.release([jobId]);
    return true;
  }

  async retry(jobId: string): Promise<boolean> {
    const location = await this.locate(jobId);
    if (location === null) return false;
    const job = await this.queues.queueFor(location.name).getJob(location.bullmqId);
    if (job === undefined || job === null || (await job.getState()) !== 'failed') return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  async setPaused(name: string | undefined, paused: boolean): Promise<void> {
    const names =
      name === undefined ? new Set([...(await this.backend().directory.names()), ...this.registeredNames()]) : [name];
    // Held here before BullMQ's pause is sent: a claim racing it hands its job back.
    if (paused) this.pauses.hold(names);
    else this.pauses.release(names);
    try {
      await Promise.all(
        [...names].map((each) => (paused ? this.queues.queueFor(each).pause() : this.queues.queueFor(each).resume())),
      );
      if (paused) this.pauses.confirm(names);
    } catch (error) {
      // A pause that failed holds nothing: no worker may hand back jobs BullMQ would run.
      if (paused) this.pauses.release(names);
      throw error;
    }
  }

  async clean({ states, olderThanMs }: CleanOptions): Promise<number> {
    const { directory } = this.backend();
    let removed = 0;
    for (const name of await directory.names()) {
      for (const state of states) {
        const ids = await this.queues.queueFor(name).clean(olderThanMs, 0, state);
        await directory.release(ids.map(fromBullMQJobId));
        removed += ids.length;
      }
    }
    return removed;
  }

  /**
   * Imports checked snapshots: claims their ids, then adds each as a job or a job
   * scheduler. An id claimed with nothing behind it (an import killed between its claim
   * and its add) is taken over, so that running a killed migration again finishes it.
   */
  async importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport> {
    const report = emptyImportReport();
    const { directory } = this.backend();
    for (const { id } of snapshots) this.releases.cancel(id);
    const claimed = await directory.claim(snapshots.map(({ id, name }) => ({ id, name })));
    const orphaned = await this.orphanedClaims(snapshots.map(({ id }) => id).filter((id) => !claimed.has(id)));
    // The batch's jobs are added together, not one round trip after another: their ids
    // are distinct, so no two calls touch one job.
    const outcomes = await mapInPages(snapshots, this.callsAtOnce(snapshots.length), async (snapshot) => {
      const existed = !claimed.has(snapshot.id) && !orphaned.has(snapshot.id);
      if (existed && onExisting === 'skip') return { snapshot, outcome: 'skipped' as const };
      try {
        if (existed) await this.cancel(snapshot.id);
        if (existed || orphaned.has(snapshot.id)) await directory.overwrite(snapshot.id, snapshot.name);
        await this.importOne(snapshot);
        return { snapshot, outcome: existed ? ('replaced' as const) : ('imported' as const) };
      } catch (error) {
        if (!existed) await directory.release([snapshot.id]).catch(() => undefined);
        const reason = error instanceof Error ? error.message : String(error);
        return { snapshot, outcome: 'errors' as const, reason };
      }
    });
    for (const result of outcomes) {
      if (result.outcome === 'errors') report.errors.push({ id: result.snapshot.id, reason: result.reason });
      else report[result.outcome].push(result.snapshot.id);
    }
    return report;
  }

  /** How many of `count` calls go out together: all on Redis; on PostgreSQL as many as its pool serves (see `mapInPages`). */
  private callsAtOnce(count: number): number {
    return this.backend().kind === 'postgres' ? POSTGRES_CALLS_AT_ONCE : Math.max(1, count);
  }

  /** Of these claimed ids, those whose name holds neither a job nor a job scheduler of that id. */
  private async orphanedClaims(ids: string[]): Promise<Set<string>> {
    const held = await mapInPages(ids, this.callsAtOnce(ids.length), async (id) => {
      const location = await this.locate(id);
      // Released meanwhile: then it is not a claim left behind, and a later run sees it free.
      if (location === null) return true;
      const queue = this.queues.queueFor(location.name);
      const job = await queue.getJob(location.bullmqId);
      return (job !== undefined && job !== null) || (await queue.getJobScheduler(location.bullmqId)) != null;
    });
    return new Set(ids.filter((_, index) => !held[index]));
  }

  private async importOne(snapshot: JobSnapshot): Promise<void> {
    const now = Date.now();
    if (snapshot.repeat !== null) {
      const meta: SwitchyardJobMeta = {
        id: snapshot.id,
        repeat: snapshot.repeat,
        createdAt: Date.parse(snapshot.createdAt),
      };
      if (snapshot.data === null) meta.dataIsNull = true;
      if (snapshot.backoff !== null) meta.backoff = snapshot.backoff;
      if (snapshot.timeoutMs !== null) meta.timeoutMs = snapshot.timeoutMs;
      const data = this.storedData(snapshot.data, meta);
      const template: SwitchyardJobsOptions = {
        priority: snapshot.priority,
        attempts: snapshot.attempts,
        removeOnComplete: true,
        removeOnFail: true,
        switchyard: meta,
      };
      if (snapshot.backoff !== null) template.backoff = toBullMQBackoff(snapshot.backoff);
      const firstRunAt = snapshot.runAt === null ? undefined : Math.max(now, Date.parse(snapshot.runAt));
      await this.addScheduler(
        snapshot.name,
        snapshot.id,
        data,
        template,
        toSchedulerRepeat(snapshot.repeat, now, firstRunAt),
      );
      return;
    }
    const opts = snapshotToBullMQJobOptions(snapshot, now);
    const data = this.storedData(snapshot.data, opts.switchyard!);
    if (snapshot.state === 'completed' || snapshot.state === 'failed') {
      const { jobId, delay: _delay, ...stored } = opts;
      const finished: FinishedJob = {
        id: jobId ?? snapshot.id,
        state: snapshot.state,
        data,
        opts: stored,
        timestamp: Date.parse(snapshot.createdAt),
        attemptsMade: snapshot.attemptsMade,
        // A snapshot does not say when the job finished: it arrived now.
        finishedOn: now,
      };
      if (snapshot.failedReason !== undefined) finished.failedReason = snapshot.failedReason;
      await this.backend().addFinishedJob(snapshot.name, finished);
      return;
    }
    await this.queues.queueFor(snapshot.name).add(snapshot.name, data, opts);
  }

  /** `data` as the backend can store it; what that took is noted in `meta`. */
  private storedData(data: unknown, meta: SwitchyardJobMeta): unknown {
    const stored = toStoredData(data, this.backend().kind);
    Object.assign(meta, stored.meta);
    return stored.data;
  }

  private async addScheduler(
    name: string,
    id: string,
    data: unknown,
    template: SwitchyardJobsOptions,
    repeat: ReturnType<typeof toSchedulerRepeat>,
  ): Promise<void> {
    await this.queues.queueFor(name).upsertJobScheduler(toBullMQJobId(id), repeat, { name, data, opts: template });
  }
}

/** The options every iteration of a new series gets. Iterations are forgotten once they end: the series is one job. */
function seriesTemplate(schedule: ValidatedSchedule): SwitchyardJobsOptions {
  const template: SwitchyardJobsOptions = {
    priority: schedule.priority,
    attempts: schedule.attempts,
    removeOnComplete: true,
    removeOnFail: true,
  };
  if (schedule.backoff !== undefined) template.backoff = toBullMQBackoff(schedule.backoff);
  return template;
}

function seriesMeta(schedule: ValidatedSchedule): SwitchyardJobMeta {
  const meta: SwitchyardJobMeta = {};
  if (isNullData(schedule.data)) meta.dataIsNull = true;
  if (schedule.backoff !== undefined) meta.backoff = schedule.backoff;
  if (schedule.timeoutMs !== undefined) meta.timeoutMs = schedule.timeoutMs;
  return meta;
}
