/**
 * The in-process provider.
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
 *                                              ├──(returned)──> completed (or removed: removeOnComplete)
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
  JOB_STATES,
  ProviderClosedError,
  assertJsonData,
  compareByCreation,
  computeBackoffDelay,
  emptyImportReport,
  normalizeExportQuery,
  normalizeListQuery,
  silentLogger,
  toJobSnapshot,
  validateCleanOptions,
  validateConcurrency,
  emptyJobCounts,
  nextRepeatRun,
  validateSchedule,
  validateSnapshot,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type CleanOptions,
  type CloseOptions,
  type CommonProviderOptions,
  type ExportQuery,
  type HealthStatus,
  type ImportOptions,
  type ImportReport,
  type JobInfo,
  type JobProcessor,
  type JobSnapshot,
  type JobStats,
  type ListJobsQuery,
  type Logger,
  type QueueProvider,
  type RegisterOptions,
  type ScheduleOptions,
  ProviderEventEmitter,
  toError,
  toStoredResult,
  validateOnExisting,
  AttemptControl,
  createJobContext,
} from '@switchyard/core';
import { compareJobsByCreation, toJobInfo, type MemoryJob } from './memory-job.js';
import { DueTimers } from './due-timers.js';
import { WaitingLine } from './waiting-line.js';

/** Everything the provider keeps about one job name. */
interface NameQueue {
  /** The one copy of the name that its jobs share, however many copies callers and imports bring. */
  name: string;
  waiting: WaitingLine;
  active: Set<string>;
  paused: boolean;
  processor?: JobProcessor;
  concurrency: number;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

export class MemoryQueueProvider extends ProviderEventEmitter implements QueueProvider {
  readonly name = 'memory';

  private readonly jobs = new Map<string, MemoryJob>();
  private readonly queues = new Map<string, NameQueue>();
  /** Every scheduled job's wake-up, on one timer. */
  private readonly dueTimers = new DueTimers<MemoryJob>((job, dueAt) => this.makeDue(job, dueAt));
  protected readonly logger: Logger;
  private sequence = 0;
  private started = false;
  private closing = false;
  private closed = false;
  /** pause() without a name: names first used later start paused too. */
  private pausedEverywhere = false;
  /** Keeps the process alive while started, as a backend's open socket would: a worker must not exit when idle. */
  private keepAlive: NodeJS.Timeout | undefined;
  /** Settles when the last active job ends; only awaited while closing. */
  private drained: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(private readonly options: CommonProviderOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  async connect(): Promise<void> {
    this.assertOpen();
  }

  async scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string> {
    this.assertOpen();
    const now = new Date();
    const schedule = validateSchedule(name, data, options, this.options, now);
    if (schedule.jobId !== undefined && this.jobs.has(schedule.jobId)) return schedule.jobId;
    const runAt = (schedule.repeat === undefined ? schedule.runAt : nextRepeatRun(schedule.repeat, null, now)).getTime();
    const job: MemoryJob = {
      id: schedule.jobId ?? randomUUID(),
      name: this.queueFor(schedule.name).name,
      data: structuredClone(data ?? null),
      state: 'waiting',
      runAt,
      createdAt: now.getTime(),
      finishedAt: null,
      priority: schedule.priority,
      attemptsMade: 0,
      maxAttempts: schedule.attempts,
      progress: 0,
      removeOnComplete: schedule.removeOnComplete,
      sequence: this.sequence++,
      dueTicket: undefined,
    };
    if (schedule.backoff !== undefined) job.backoff = schedule.backoff;
    if (schedule.timeoutMs !== undefined) job.timeoutMs = schedule.timeoutMs;
    if (schedule.repeat !== undefined) job.repeat = schedule.repeat;
    this.jobs.set(job.id, job);
    this.makeDue(job, runAt);
    this.logger.debug('job scheduled', { provider: this.name, jobName: job.name, jobId: job.id });
    return job.id;
  }

  async cancelJob(jobId: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (job === undefined) return false;
    if (job.state === 'active') {
      // A running occurrence of a repeating job finishes, but no further one follows.
      if (job.repeat === undefined) return false;
      job.cancelled = true;
      return true;
    }
    this.forget(job);
    return true;
  }

  async getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null> {
    const job = this.jobs.get(jobId);
    return job === undefined ? null : toJobInfo<T>(job);
  }

  async listJobs(query?: ListJobsQuery): Promise<JobInfo[]> {
    const { names, states, limit, offset } = normalizeListQuery(query);
    return [...this.jobs.values()]
      .filter((job) => (names === null || names.includes(job.name)) && states.includes(job.state))
      .map((job) => toJobInfo(job))
      .sort(compareByCreation)
      .slice(offset, offset + limit);
  }

  async retryJob(jobId: string): Promise<boolean> {
    this.assertOpen();
    const job = this.jobs.get(jobId);
    if (job === undefined || job.state !== 'failed') return false;
    job.attemptsMade = 0;
    job.progress = 0;
    job.finishedAt = null;
    delete job.failedReason;
    this.makeDue(job, Date.now());
    return true;
  }

  registerProcessor(processor: JobProcessor, options: RegisterOptions = {}): void {
    const concurrency = validateConcurrency(options.concurrency);
    const queue = this.queueFor(processor.name);
    queue.processor = processor;
    queue.concurrency = concurrency;
    this.dispatch(processor.name);
  }

  async start(): Promise<void> {
    this.assertOpen();
    this.started = true;
    this.keepAlive ??= setInterval(() => undefined, 2 ** 31 - 1);
    for (const name of this.queues.keys()) this.dispatch(name);
  }

  async pause(name?: string): Promise<void> {
    if (name === undefined) this.pausedEverywhere = true;
    for (const [queueName, queue] of this.queues) {
      if (name === undefined || queueName === name) queue.paused = true;
    }
    if (name !== undefined) this.queueFor(name).paused = true;
  }

  async resume(name?: string): Promise<void> {
    if (name === undefined) this.pausedEverywhere = false;
    for (const [queueName, queue] of this.queues) {
      if (name === undefined || queueName === name) {
        queue.paused = false;
        this.dispatch(queueName);
      }
    }
  }

  async getStats(name?: string): Promise<JobStats> {
    const stats: JobStats = { ...emptyJobCounts(), paused: false };
    for (const job of this.jobs.values()) {
      if (name === undefined || job.name === name) stats[job.state] += 1;
    }
    stats.paused = name === undefined ? this.pausedEverywhere : (this.queues.get(name)?.paused ?? this.pausedEverywhere);
    return stats;
  }

  async checkHealth(): Promise<HealthStatus> {
    return this.closed
      ? { healthy: false, provider: this.name, latencyMs: 0, error: 'provider is closed' }
      : { healthy: true, provider: this.name, latencyMs: 0 };
  }

  async clean(options: CleanOptions): Promise<number> {
    const { states, olderThanMs } = validateCleanOptions(options);
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

  async *exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot> {
    const { names, states } = normalizeExportQuery(query);
    const selected = [...this.jobs.values()]
      .filter((job) => (names === null || names.includes(job.name)) && states.includes(job.state))
      .sort(compareJobsByCreation);
    for (const job of selected) {
      // A job cancelled while the consumer was busy is no longer there to export.
      if (this.jobs.get(job.id) === job) yield toJobSnapshot(toJobInfo(job), { removeOnComplete: job.removeOnComplete });
    }
  }

  async importJobs(
    snapshots: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    this.assertOpen();
    const onExisting = validateOnExisting(options);
    const report = emptyImportReport();
    for await (const candidate of snapshots) {
      const id = typeof (candidate as { id?: unknown })?.id === 'string' ? (candidate as { id: string }).id : '(no id)';
      try {
        const snapshot = validateSnapshot(candidate);
        assertJsonData(snapshot.data, this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
        if (snapshot.state === 'active') throw new Error('an active job is running elsewhere and cannot be imported');
        const existing = this.jobs.get(snapshot.id);
        if (existing !== undefined) {
          if (onExisting === 'skip') {
            report.skipped.push(snapshot.id);
            continue;
          }
          if (existing.state === 'active') throw new Error('the existing job is active and cannot be replaced');
          this.forget(existing);
          this.store(snapshot);
          report.replaced.push(snapshot.id);
        } else {
          this.store(snapshot);
          report.imported.push(snapshot.id);
        }
      } catch (error) {
        report.errors.push({ id, reason: (error as Error).message });
      }
    }
    return report;
  }


  async close(options: CloseOptions = {}): Promise<void> {
    if (this.closing) return this.drained?.promise;
    this.closing = true;
    clearInterval(this.keepAlive);
    for (const job of this.jobs.values()) this.dueTimers.clear(job);
    const active = [...this.jobs.values()].filter((job) => job.state === 'active');
    if (active.length > 0) {
      let resolve!: () => void;
      this.drained = { promise: new Promise<void>((r) => (resolve = r)), resolve };
      const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
      const deadline = setTimeout(() => {
        this.logger.warn('close timed out: aborting active jobs', { provider: this.name, active: active.length });
        for (const job of this.jobs.values()) job.control?.abort(new ProviderClosedError(this.name));
        // Processors that ignore their signal cannot be waited for; the process may end under them.
        resolve();
      }, timeoutMs);
      await this.drained.promise;
      clearTimeout(deadline);
    }
    this.closed = true;
    this.logger.info('provider closed', { provider: this.name });
  }

  // ---------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closing) throw new ProviderClosedError(this.name);
  }

  private queueFor(name: string): NameQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = { name, waiting: new WaitingLine(), active: new Set(), paused: this.pausedEverywhere, concurrency: 1 };
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
      if (!this.closing) this.dueTimers.at(job, dueAt);
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
    if (queue === undefined || queue.processor === undefined) return;
    if (!this.started || this.closing || queue.paused) return;
    while (queue.active.size < queue.concurrency) {
      const next = queue.waiting.takeNext();
      if (next === undefined) return;
      const job = this.jobs.get(next.id);
      if (job === undefined || job.state !== 'waiting') continue;
      void this.runAttempt(job, queue, queue.processor);
    }
  }

  private async runAttempt(job: MemoryJob, queue: NameQueue, processor: JobProcessor): Promise<void> {
    queue.active.add(job.id);
    job.state = 'active';
    const control = new AttemptControl(job.id, job.timeoutMs);
    job.control = control;
    const context = createJobContext({
      attempt: job.attemptsMade + 1,
      control,
      logger: this.logger,
      provider: this.name,
      job,
      saveProgress: async (percent) => {
        job.progress = percent;
      },
    });
    try {
      const result = await control.run(() => processor.process(toJobInfo(job), context));
      this.finishSucceeded(job, result);
    } catch (error) {
      this.finishFailed(job, toError(error));
    } finally {
      control.end();
      delete job.control;
      queue.active.delete(job.id);
      if (this.closing) {
        if ([...this.queues.values()].every((q) => q.active.size === 0)) this.drained?.resolve();
      } else {
        this.dispatch(job.name);
      }
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
      if (job.removeOnComplete) this.jobs.delete(job.id);
    }
    this.logger.debug('job completed', { provider: this.name, jobName: job.name, jobId: job.id });
    this.emitSafely('completed', info, structuredClone(job.result));
  }

  private finishFailed(job: MemoryJob, error: Error): void {
    if (this.closing && error instanceof ProviderClosedError) {
      // Aborted by shutdown, not by its own fault: the attempt does not count.
      job.state = 'waiting';
      return;
    }
    job.attemptsMade += 1;
    job.failedReason = error.message;
    if (job.attemptsMade < job.maxAttempts) {
      const delayMs = computeBackoffDelay(job.backoff, job.attemptsMade);
      this.logger.info('job attempt failed, retrying', {
        provider: this.name, jobName: job.name, jobId: job.id, attempt: job.attemptsMade, delayMs, error: error.message,
      });
      this.makeDue(job, Date.now() + delayMs);
      this.emitSafely('retrying', toJobInfo(job), error, delayMs);
      return;
    }
    job.state = 'failed';
    job.finishedAt = Date.now();
    const info = toJobInfo(job);
    info.runAt = null;
    if (job.repeat !== undefined) this.scheduleNextOccurrence(job);
    else job.runAt = null;
    this.logger.warn('job failed', { provider: this.name, jobName: job.name, jobId: job.id, error: error.message });
    this.emitSafely('failed', info, error);
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
    const now = new Date();
    const finished = snapshot.state === 'completed' || snapshot.state === 'failed';
    const job: MemoryJob = {
      id: snapshot.id,
      name: this.queueFor(snapshot.name).name,
      data: structuredClone(snapshot.data ?? null),
      // The constant, not the snapshot's own copy of the word, which would be kept per job.
      state: JOB_STATES.find((state) => state === snapshot.state)!,
      runAt: snapshot.runAt === null ? null : Date.parse(snapshot.runAt),
      createdAt: Date.parse(snapshot.createdAt),
      // Snapshots do not carry when a job finished; the import is the closest thing we know.
      finishedAt: finished ? now.getTime() : null,
      priority: snapshot.priority,
      attemptsMade: snapshot.attemptsMade,
      maxAttempts: snapshot.attempts,
      progress: snapshot.state === 'completed' ? 100 : 0,
      removeOnComplete: snapshot.removeOnComplete === true,
      sequence: this.sequence++,
      dueTicket: undefined,
    };
    if (snapshot.failedReason !== undefined) job.failedReason = snapshot.failedReason;
    if (snapshot.backoff !== null) job.backoff = snapshot.backoff;
    if (snapshot.timeoutMs !== null) job.timeoutMs = snapshot.timeoutMs;
    if (snapshot.repeat !== null) job.repeat = snapshot.repeat;
    this.jobs.set(job.id, job);
    if (finished) return;
    const dueAt =
      job.runAt ?? (job.repeat === undefined ? now.getTime() : nextRepeatRun(job.repeat, null, now).getTime());
    this.makeDue(job, dueAt);
  }

  /** Drops a job that is not active, with its timer and its place in line. */
  private forget(job: MemoryJob): void {
    this.dueTimers.clear(job);
    this.queues.get(job.name)?.waiting.remove(job.id);
    this.jobs.delete(job.id);
  }

}

