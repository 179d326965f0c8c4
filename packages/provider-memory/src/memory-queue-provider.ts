/**
 * The in-process provider, on the provider kit (`BaseQueueProvider` owns the
 * lifecycle, argument checks, close sequence and reporting; this file is storage).
 *
 * JOBS LIVE IN THIS PROCESS'S MEMORY AND DIE WITH IT. Nothing is persisted, nothing
 * is shared between processes. Use it for demos, for unit tests of code that
 * schedules jobs, and as the embedded default; use Bull or Agenda in production.
 *
 * How a job moves (the same five states as the contract, nothing to map):
 *
 * ```
 *   scheduleJob ──(runAt in the future)──> scheduled ──(its timer fires)──┐
 *        │                                     ^                         v
 *        └────────(due now)─────────────> waiting <──── retryJob ───── failed
 *                                              │                         ^
 *                        (free slot, name not paused; priority, then FIFO)
 *                                              v                         │
 *                                           active ──(threw, no attempts left)
 *                                              │  └──(threw, attempts left: backoff)──> scheduled / waiting
 *                                              ├──(returned)──> completed (trimmed by removeOnComplete)
 *                                              └──(repeating: returned or failed)──> scheduled (next occurrence)
 * ```
 *
 * Timing: one Node timer armed for the earliest scheduled job (no polling; see
 * `DueTimers`), so `runAt` is honoured to within the event loop's latency, typically
 * a millisecond or two.
 *
 * @example
 * ```ts
 * const queue = new MemoryQueueProvider();
 * await queue.connect();
 * queue.registerProcessor({ name: 'email', process: async (job) => send(job.data) }, { concurrency: 2 });
 * await queue.start();
 * await queue.scheduleJob('email', { to: 'a@example.com' }, { delayMs: 1000 });
 * ```
 */
import { randomUUID } from 'node:crypto';
import {
  KEEP_ALL,
  ProviderClosedError,
  compareByCreation,
  emptyImportReport,
  emptyJobCounts,
  nextRepeatRun,
  toError,
  toJobSnapshot,
  toStoredResult,
  type CleanOptions,
  type CommonProviderOptions,
  type ImportReport,
  type JobInfo,
  type JobSnapshot,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
  type RetentionPolicy,
  type ValidatedSchedule,
} from '@switchyard/core';
import { BaseQueueProvider, decideAfterFailedAttempt } from '@switchyard/core/provider-kit';
import {
  compareJobsByCreation,
  memoryJobFromSchedule,
  memoryJobFromSnapshot,
  toJobInfo,
  type MemoryJob,
} from './memory-job.js';
import { DueTimers } from './due-timers.js';
import { FinishedJobs } from './finished-jobs.js';
import { WaitingLine } from './waiting-line.js';

/** Everything the provider keeps about one job name. */
interface NameQueue {
  /** The one copy of the name that its jobs share, however many copies callers and imports bring. */
  name: string;
  waiting: WaitingLine;
  active: Set<string>;
  paused: boolean;
}

export class MemoryQueueProvider extends BaseQueueProvider {
  readonly name = 'memory';

  private readonly jobs = new Map<string, MemoryJob>();
  private readonly queues = new Map<string, NameQueue>();
  /** Completed and failed jobs per name, in finish order, for the retention policies. */
  private readonly finished = new FinishedJobs();
  /** Every scheduled job's wake-up, on one timer. */
  private readonly dueTimers = new DueTimers<MemoryJob>((job, dueAt) => this.makeDue(job, dueAt));
  private sequence = 0;
  /** pause() without a name: names first used later start paused too. */
  private pausedEverywhere = false;
  /** Keeps the process alive while started, as a backend's open socket would: a worker must not exit when idle. */
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(options: CommonProviderOptions = {}) {
    super(options);
  }

  // --- storage hooks ---------------------------------------------------------------

  protected async _connect(): Promise<void> {}

  protected async _ping(): Promise<void> {}

  protected async _schedule(schedule: ValidatedSchedule): Promise<string> {
    if (schedule.jobId !== undefined && this.jobs.has(schedule.jobId)) return schedule.jobId;
    const now = Date.now();
    const runAt = (
      schedule.repeat === undefined ? schedule.runAt : nextRepeatRun(schedule.repeat, null, new Date(now))
    ).getTime();
    const job = memoryJobFromSchedule(schedule, {
      id: schedule.jobId ?? randomUUID(),
      name: this.queueFor(schedule.name).name,
      runAt,
      createdAt: now,
      sequence: this.sequence++,
    });
    this.jobs.set(job.id, job);
    this.makeDue(job, runAt);
    this.logger.debug('job scheduled', { provider: this.name, jobName: job.name, jobId: job.id });
    return job.id;
  }

  protected async _cancel(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (job === undefined) return false;
    if (job.state === 'active') {
      // A running occurrence of a repeating job finishes, but no further one follows.
      if (job.repeat === undefined || job.cancelled === true) return false;
      job.cancelled = true;
      return true;
    }
    this.forget(job);
    return true;
  }

  protected async _getJob(jobId: string): Promise<JobInfo | null> {
    const job = this.jobs.get(jobId);
    return job === undefined ? null : toJobInfo(job);
  }

  protected async _listJobs({ names, states, limit, offset }: NormalizedListQuery): Promise<JobInfo[]> {
    return [...this.jobs.values()]
      .filter((job) => (names === null || names.includes(job.name)) && states.includes(job.state))
      .map((job) => toJobInfo(job))
      .sort(compareByCreation)
      .slice(offset, offset + limit);
  }

  protected async _retry(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.state !== 'failed') return false;
    this.finished.delete(job);
    job.attemptsMade = 0;
    job.progress = 0;
    job.finishedAt = null;
    delete job.failedReason;
    this.makeDue(job, Date.now());
    return true;
  }

  protected async _start(): Promise<void> {
    this.keepAlive ??= setInterval(() => undefined, 2 ** 31 - 1);
    for (const name of this.queues.keys()) this.dispatch(name);
  }

  protected async _startName(name: string): Promise<void> {
    this.dispatch(name);
  }

  protected async _setPaused(name: string | undefined, paused: boolean): Promise<void> {
    if (name === undefined) this.pausedEverywhere = paused;
    else this.queueFor(name);
    for (const [queueName, queue] of this.queues) {
      if (name !== undefined && queueName !== name) continue;
      queue.paused = paused;
      if (!paused) this.dispatch(queueName);
    }
  }

  protected async _getStats(name: string | undefined): Promise<JobStats> {
    const stats: JobStats = { ...emptyJobCounts(), paused: false };
    for (const job of this.jobs.values()) {
      if (name === undefined || job.name === name) stats[job.state] += 1;
    }
    stats.paused =
      name === undefined ? this.pausedEverywhere : (this.queues.get(name)?.paused ?? this.pausedEverywhere);
    return stats;
  }

  protected async _clean({ states, olderThanMs }: CleanOptions): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const job of [...this.jobs.values()]) {
      if ((states as string[]).includes(job.state) && job.finishedAt !== null && job.finishedAt <= cutoff) {
        this.forget(job);
        removed += 1;
      }
    }
    return removed;
  }

  protected async *_exportJobs({
    names,
    states,
  }: {
    names: string[] | null;
    states: JobState[];
  }): AsyncIterable<JobSnapshot> {
    const selected = [...this.jobs.values()]
      .filter((job) => (names === null || names.includes(job.name)) && states.includes(job.state))
      .sort(compareJobsByCreation);
    for (const job of selected) {
      // A job cancelled while the consumer was busy is no longer there to export.
      if (this.jobs.get(job.id) === job) yield toJobSnapshot(toJobInfo(job), job);
    }
  }

  protected async _importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport> {
    const report = emptyImportReport();
    for (const snapshot of snapshots) {
      const existing = this.jobs.get(snapshot.id);
      if (existing === undefined) {
        this.store(snapshot);
        report.imported.push(snapshot.id);
      } else if (onExisting === 'skip') {
        report.skipped.push(snapshot.id);
      } else if (existing.state === 'active') {
        report.errors.push({ id: snapshot.id, reason: 'the existing job is active and cannot be replaced' });
      } else {
        this.forget(existing);
        this.store(snapshot);
        report.replaced.push(snapshot.id);
      }
    }
    return report;
  }

  protected async _stopFetching(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const job of this.jobs.values()) this.dueTimers.clear(job);
  }

  protected async _disconnect(): Promise<void> {}

  // --- running jobs ----------------------------------------------------------------

  private queueFor(name: string): NameQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = { name, waiting: new WaitingLine(), active: new Set(), paused: this.pausedEverywhere };
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Puts a job in line now, or arms its wake-up when `dueAt` (epoch ms) is in the future. */
  private makeDue(job: MemoryJob, dueAt: number): void {
    this.dueTimers.clear(job);
    job.runAt = dueAt;
    if (dueAt > Date.now()) {
      job.state = 'scheduled';
      if (!this.isClosing) this.dueTimers.at(job, dueAt);
      return;
    }
    job.state = 'waiting';
    const queue = this.queueFor(job.name);
    queue.waiting.add({ id: job.id, priority: job.priority, sequence: job.sequence });
    this.dispatch(job.name);
  }

  /** Starts as many waiting jobs of `name` as its concurrency allows. */
  private dispatch(name: string): void {
    const queue = this.queues.get(name);
    const registration = this.registrationOf(name);
    if (queue === undefined || registration === undefined) return;
    if (!this.started || this.isClosing || queue.paused) return;
    while (queue.active.size < registration.concurrency) {
      const next = queue.waiting.takeNext();
      if (next === undefined) return;
      const job = this.jobs.get(next.id);
      if (job === undefined || job.state !== 'waiting') continue;
      void this.runAttempt(job, queue);
    }
  }

  private async runAttempt(job: MemoryJob, queue: NameQueue): Promise<void> {
    const processor = this.registrationOf(job.name)!.processor;
    queue.active.add(job.id);
    job.state = 'active';
    const { control, context } = this.beginAttempt(job, job, job.attemptsMade + 1, async (percent) => {
      job.progress = percent;
    });
    try {
      const result = await control.run(() => processor.process(toJobInfo(job), context));
      this.finishSucceeded(job, result);
    } catch (error) {
      this.finishFailed(job, toError(error));
    } finally {
      this.endAttempt(job);
      queue.active.delete(job.id);
      this.dispatch(job.name);
    }
  }

  private finishSucceeded(job: MemoryJob, result: unknown): void {
    job.attemptsMade += 1;
    job.state = 'completed';
    job.finishedAt = Date.now();
    job.progress = 100;
    job.result = toStoredResult(result);
    delete job.failedReason;
    const info = toJobInfo(job);
    info.runAt = null;
    if (job.repeat !== undefined) {
      this.scheduleNextOccurrence(job);
    } else {
      job.runAt = null;
      this.retire(job, job.removeOnComplete);
    }
    this.reportCompleted(info, structuredClone(job.result));
  }

  private finishFailed(job: MemoryJob, error: Error): void {
    if (this.isClosing && error instanceof ProviderClosedError) {
      // Aborted by shutdown, not by its own fault: the attempt does not count.
      job.state = 'waiting';
      return;
    }
    job.attemptsMade += 1;
    job.failedReason = error.message;
    const next = decideAfterFailedAttempt({
      attemptsMade: job.attemptsMade,
      maxAttempts: job.maxAttempts,
      backoff: job.backoff,
    });
    if (next.kind === 'retry') {
      this.makeDue(job, Date.now() + next.delayMs);
      this.reportRetrying(toJobInfo(job), error, next.delayMs);
      return;
    }
    job.state = 'failed';
    job.finishedAt = Date.now();
    const info = toJobInfo(job);
    info.runAt = null;
    if (job.repeat !== undefined) {
      this.scheduleNextOccurrence(job);
    } else {
      job.runAt = null;
      this.retire(job, job.removeOnFail);
    }
    this.reportFailed(info, error);
  }

  /** A repeating job goes back to `scheduled` for its next occurrence, with fresh attempts. */
  private scheduleNextOccurrence(job: MemoryJob): void {
    if (job.cancelled) {
      this.forget(job);
      return;
    }
    const next = nextRepeatRun(job.repeat!, job.runAt === null ? null : new Date(job.runAt), new Date());
    job.attemptsMade = 0;
    job.finishedAt = null;
    job.progress = 0;
    this.makeDue(job, next.getTime());
  }

  private store(snapshot: JobSnapshot): void {
    const now = Date.now();
    const job = memoryJobFromSnapshot(snapshot, {
      name: this.queueFor(snapshot.name).name,
      now,
      sequence: this.sequence++,
    });
    this.jobs.set(job.id, job);
    if (job.state === 'completed' || job.state === 'failed') {
      // An imported finished job joins its name's list; retention applies when the next one finishes.
      this.finished.add(job as MemoryJob & { state: 'completed' | 'failed' }, KEEP_ALL, now);
      return;
    }
    const dueAt =
      job.runAt ?? (job.repeat === undefined ? now : nextRepeatRun(job.repeat, null, new Date(now)).getTime());
    this.makeDue(job, dueAt);
  }

  /** A job that has just finished for good joins its name's finished jobs; the policy trims them. */
  private retire(job: MemoryJob, policy: RetentionPolicy): void {
    const finished = job as MemoryJob & { state: 'completed' | 'failed' };
    for (const removed of this.finished.add(finished, policy, finished.finishedAt!)) this.forget(removed);
  }

  /** Drops a job that is not active, with its timer, its place in line and in the finished lists. */
  private forget(job: MemoryJob): void {
    this.finished.delete(job);
    this.dueTimers.clear(job);
    this.queues.get(job.name)?.waiting.remove(job.id);
    this.jobs.delete(job.id);
  }
}
