/**
 * `QueueProvider` on Bull 4 and Redis.
 *
 * - One Bull queue per job name (`<prefix>:<name>:*` keys), created on first use; all
 *   queues share one command connection and one subscriber, and each worker queue has
 *   its own blocking connection (see `BullConnection`).
 * - Job ids are unique per provider: a caller's id is claimed in `BullJobIndex` (HSETNX)
 *   before its Bull job is added. Ids are random UUIDs when none is given, and those
 *   need no claim.
 * - States: see the diagram in `bull-job-state.ts`. Options: see `to-bull-job-options.ts`.
 * - A repeating job is a Bull repeatable plus the occurrence Bull keeps scheduled for
 *   it; it is shown as one job with the caller's id. Cancelling it removes the
 *   repeatable and its pending occurrence.
 * - Timing: Bull moves a delayed job to its wait list from a timer set for the next
 *   due job (woken through Redis pub/sub when a sooner one is added), so `runAt` is
 *   honoured to within a few milliseconds while a worker for the name runs. Bull only
 *   runs that timer in processes that process the name.
 * - A crashed worker's job: its lock (`lockDurationMs`) expires, and the next stalled
 *   check (every `stalledIntervalMs`, in any worker of the name) puts it back to wait
 *   and emits 'stalled'; after `maxStalledCount` stalls it fails instead.
 * - close(): stops fetching, lets active jobs finish until `timeoutMs`, then aborts
 *   their signals. An aborted attempt is not recorded as a failure: the job stays
 *   active until its lock expires, and the stalled check runs it again (at least once).
 *
 * @example
 * ```ts
 * const queue = new BullQueueProvider({ redisUrl: 'redis://localhost:6379', prefix: 'billing' });
 * await queue.connect();
 * queue.registerProcessor({ name: 'invoice', process: async (job) => sendInvoice(job.data) }, { concurrency: 4 });
 * await queue.start();
 * await queue.scheduleJob('invoice', { orderId: 'o-1' }, { jobId: 'invoice:o-1', delayMs: 60_000, attempts: 5,
 *   backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 } });
 * ```
 */
import Bull from 'bull';
import type { Redis } from 'ioredis';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  ProviderClosedError,
  SwitchyardError,
  ValidationError,
  compareByCreation,
  computeBackoffDelay,
  emptyJobCounts,
  normalizeExportQuery,
  normalizeListQuery,
  redactSecrets,
  silentLogger,
  toJobSnapshot,
  validateCleanOptions,
  validateConcurrency,
  validateJobName,
  validateSchedule,
  type BackoffOptions,
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
  type JobState,
  type JobStats,
  type ListJobsQuery,
  type Logger,
  type QueueProvider,
  type RegisterOptions,
  type ScheduleOptions,
  type ValidatedSchedule,
  AttemptControl,
  ProviderEventEmitter,
  createJobContext,
  toError,
  toStoredResult,
  validateOnExisting,
} from '@switchyard/core';
import { BullConnection, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS } from './bull-connection.js';
import { BullJobIndex, newJobId, type IndexEntry } from './bull-job-index.js';
import { BULL_STATES_OF, dueTimeOfDelayedScore, jobCountsFromBull, toJobState, type BullState } from './bull-job-state.js';
import { BULL_DEFAULT_JOB_NAME, bullOccurrenceId, bullRepeatKey, toBullRepeat } from './bull-repeat.js';
import { importSnapshots } from './bull-snapshot-import.js';
import { jobInfoFromBull, occurrenceDueTime, seriesIdOfBullJob } from './job-info-from-bull.js';
import { SWITCHYARD_BACKOFF, toBullJobOptions } from './to-bull-job-options.js';

export interface BullQueueProviderOptions extends CommonProviderOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`. */
  redisUrl: string;
  /** Prefix of every Redis key (Bull's `prefix`); one prefix = one isolated provider. Default 'switchyard'. */
  prefix?: string;
  /** How long `connect()` may take before it fails with `ProviderUnavailableError`; default 3000. */
  connectTimeoutMs?: number;
  /** How long one Redis command may take before it fails; default 5000. */
  commandTimeoutMs?: number;
  /** Bull's `lockDuration`: how long a worker's claim on an active job lasts without renewal; default 30 000. */
  lockDurationMs?: number;
  /** Bull's `stalledInterval`: how often workers look for jobs whose lock expired; default 30 000. */
  stalledIntervalMs?: number;
  /** Bull's `maxStalledCount`: stalls after which a job fails instead of running again; default 1. */
  maxStalledCount?: number;
  /** Bull's `retryProcessDelay`: pause before a worker tries again after a Redis error; default 1000. */
  retryProcessDelayMs?: number;
}

const DEFAULT_PREFIX = 'switchyard';
const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** How many jobs one Redis read fetches when listing or exporting. */
const PAGE_SIZE = 100;
/** How long close() waits for one Bull queue to wind down before it ends the connections anyway. */
const QUEUE_CLOSE_TIMEOUT_MS = 2000;
const HEALTH_CHECK_TIMEOUT_MS = 2000;
/** After aborting active attempts at the close timeout, how long close() waits for them to end. */
const ABORT_GRACE_MS = 1000;
/** Identical error messages within this window are reported once (every connection reports an outage). */
const ERROR_REPEAT_WINDOW_MS = 1000;

/** One job name's Bull queue. */
interface QueueSlot {
  queue: Bull.Queue;
  /** Resolves once the queue is usable (paused first when `pause()` paused every name). */
  ready: Promise<Bull.Queue>;
  /** The queue once `ready` has resolved, so that adding a job need not wait a turn for it. */
  usable?: Bull.Queue;
  /** The queue's blocking connection, once Bull asked for it (only workers do). */
  blockingClient?: Redis;
  processing: boolean;
}

/** An attempt running in this process, until Bull has recorded its outcome (or it was given up). */
interface RunningAttempt {
  control: AttemptControl;
  /** The JobInfo the processor was given, for the 'completed' / 'failed' / 'retrying' event. */
  info?: JobInfo;
}

export class BullQueueProvider extends ProviderEventEmitter implements QueueProvider {
  readonly name = 'bull';

  protected readonly logger: Logger;
  private readonly prefix: string;
  private connection: BullConnection | undefined;
  private connecting: Promise<void> | undefined;
  private readonly index: BullJobIndex;
  private readonly queues = new Map<string, QueueSlot>();
  private readonly processors = new Map<string, { processor: JobProcessor; concurrency: number }>();
  /**
   * Keyed by the Bull job object of the attempt: Bull emits 'completed' and 'failed'
   * with the object it gave the handler, each attempt gets an object of its own, and an
   * object key costs a fraction of a string built from name and id (a lookup per job).
   */
  private readonly running = new Map<Bull.Job, RunningAttempt>();
  private readonly idleWaiters: (() => void)[] = [];
  /** The delay the backoff strategy chose for a failed attempt, by its error (Bull passes the same object to both). */
  private readonly backoffDelays = new WeakMap<Error, number>();
  private readonly recentErrors = new Map<string, number>();
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullQueueProviderOptions) {
    super();
    if (typeof options?.redisUrl !== 'string' || options.redisUrl === '') {
      throw new ValidationError('redisUrl', 'must be a redis:// URL');
    }
    this.logger = options.logger ?? silentLogger;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.index = new BullJobIndex(() => this.redis(), this.prefix);
  }

  // --- connection ------------------------------------------------------------

  async connect(): Promise<void> {
    this.assertOpen();
    this.connecting ??= this.openConnection();
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    const connection = new BullConnection(this.options.redisUrl, {
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      onError: (error) => this.reportError(error),
    });
    try {
      await connection.open();
    } catch (error) {
      // A later connect() may try again.
      this.connecting = undefined;
      // The caller gets the error; logging it as an error too would report it twice.
      this.logger.debug('cannot connect to Redis', { provider: this.name, error: (error as Error).message });
      throw error;
    }
    this.connection = connection;
    const { host, port } = connection.endpoint;
    this.logger.info('connected to Redis', { provider: this.name, host, port, prefix: this.prefix });
  }

  private redis(): Redis {
    if (this.connection === undefined) throw new Error('connect() first');
    return this.connection.sharedClient();
  }

  /** Runs a Redis-backed operation after connecting; Redis being unreachable becomes `ProviderUnavailableError`. */
  private async withRedis<T>(operation: () => Promise<T>): Promise<T> {
    this.assertOpen();
    if (this.connection === undefined) await this.connect();
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof SwitchyardError) && this.connection?.isConnectionError(error)) {
        throw this.connection.unavailable(error);
      }
      throw error;
    }
  }

  // --- scheduling ------------------------------------------------------------

  async scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string> {
    this.assertOpen();
    const now = Date.now();
    const schedule = validateSchedule(name, data, options, this.options, new Date(now));
    if (schedule.jobId === undefined && schedule.repeat === undefined) {
      // A fresh random id: nothing to claim (see BullJobIndex), so one Redis call.
      const id = newJobId();
      await this.withRedis(() => this.addJob(schedule, id, now));
      return id;
    }
    return this.withRedis(() => this.addClaimedJob(schedule, now));
  }

  /** Claims the caller's id (or a repeating job's) and adds the job, unless the id was taken. */
  private async addClaimedJob(schedule: ValidatedSchedule, now: number): Promise<string> {
    const id = schedule.jobId ?? newJobId();
    const entry: IndexEntry =
      schedule.repeat === undefined ? { name: schedule.name } : { name: schedule.name, repeat: schedule.repeat, createdAt: now };
    if (!(await this.index.claim(id, entry))) {
      await this.addIfClaimedWithoutJob(id, schedule, now);
      return id;
    }
    try {
      if (schedule.repeat !== undefined) await this.index.rememberRepeatKey(bullRepeatKey(id, schedule.repeat), id);
      await this.addJob(schedule, id, now);
    } catch (error) {
      // Nothing was stored: free the id again.
      await this.index.release([id]).catch(() => {});
      throw error;
    }
    return id;
  }

  private async addJob(schedule: ValidatedSchedule, id: string, now: number): Promise<void> {
    const queue = this.queues.get(schedule.name)?.usable ?? (await this.queueFor(schedule.name));
    const job = toBullJobOptions(schedule, id, now);
    await queue.add(BULL_DEFAULT_JOB_NAME, job.data, job.opts);
    this.logger.debug('job scheduled', { provider: this.name, jobName: schedule.name, jobId: id });
  }

  /**
   * The id is taken, nearly always by its stored job. But a claim can be left without
   * its job when Redis goes away mid-call: ioredis sends a command whose reply was lost
   * again once reconnected, and that second claim finds the first one's (so the call
   * that made it would add nothing); or the add failed and so did freeing the id, and the
   * caller tries again. Then the job is added now. Bull adds nothing for an id its queue
   * already holds, so a producer racing on the same id cannot double the job.
   */
  private async addIfClaimedWithoutJob(id: string, schedule: ValidatedSchedule, now: number): Promise<void> {
    if (schedule.repeat !== undefined) return;
    const entry = await this.index.lookup(id);
    if (entry === null || entry.name !== schedule.name || entry.repeat !== undefined) return;
    const queue = await this.queueFor(schedule.name);
    if ((await queue.getJob(id)) !== null) return;
    await this.addJob(schedule, id, now);
    this.logger.warn('job id was claimed without its job (Redis connection lost mid-call): job added', {
      provider: this.name, jobName: schedule.name, jobId: id,
    });
  }

  async cancelJob(jobId: string): Promise<boolean> {
    return this.withRedis(async () => {
      const entry = await this.index.lookup(jobId);
      if (entry === null) return false;
      return (await this.removeJob(jobId, entry)) === 'removed';
    });
  }

  /**
   * Removes a job that is not running, and frees its id. A repeating job loses its
   * repeatable (so no occurrence follows) and its pending occurrence; one running now
   * finishes.
   */
  private async removeJob(jobId: string, entry: IndexEntry): Promise<'removed' | 'active' | 'missing'> {
    const queue = await this.queueFor(entry.name);
    if (entry.repeat !== undefined) {
      const repeatKey = bullRepeatKey(jobId, entry.repeat);
      const nextMillis = await this.redis().zscore(this.bullKey(entry.name, 'repeat'), repeatKey);
      // Removes the repeatable and, if still delayed, its next occurrence, in one script.
      await queue.removeRepeatable({ ...toBullRepeat(entry.repeat), jobId });
      if (nextMillis !== null) {
        // An occurrence already due (waiting, e.g. while paused) is no longer delayed: remove it too.
        const occurrence = await queue.getJob(bullOccurrenceId(jobId, repeatKey, Number(nextMillis)));
        if (occurrence !== null) await occurrence.remove().catch(() => {});
      }
      await this.index.release([jobId]);
      await this.index.forgetRepeatKey(repeatKey);
      return 'removed';
    }
    const job = await queue.getJob(jobId);
    if (job === null) {
      await this.index.release([jobId]);
      return 'missing';
    }
    try {
      await job.remove();
    } catch (error) {
      // Bull refuses to remove a locked (active) job.
      if (/Could not remove job/.test((error as Error).message)) return 'active';
      throw error;
    }
    await this.index.release([jobId]);
    return 'removed';
  }

  async getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null> {
    return this.withRedis(async () => {
      const entry = await this.index.lookup(jobId);
      if (entry === null) return null;
      return (await this.jobInfo(jobId, entry)) as JobInfo<T> | null;
    });
  }

  private async jobInfo(jobId: string, entry: IndexEntry): Promise<JobInfo | null> {
    if (entry.repeat !== undefined) return this.seriesInfo(jobId, entry);
    const queue = await this.queueFor(entry.name);
    const job = await queue.getJob(jobId);
    if (job === null) return null;
    const location = await this.locate(entry.name, jobId);
    return jobInfoFromBull(job, { name: entry.name, ...location });
  }

  /** A repeating job: the newest occurrence Bull keeps for it, shown under the series id. */
  private async seriesInfo(jobId: string, entry: IndexEntry): Promise<JobInfo | null> {
    if (entry.repeat === undefined) return null;
    const queue = await this.queueFor(entry.name);
    const repeatKey = bullRepeatKey(jobId, entry.repeat);
    // Bull moves the repeatable's score before it adds the occurrence: look again if we fall in between.
    for (let tries = 0; tries < 3; tries += 1) {
      const nextMillis = await this.redis().zscore(this.bullKey(entry.name, 'repeat'), repeatKey);
      if (nextMillis === null) return null;
      const occurrenceId = bullOccurrenceId(jobId, repeatKey, Number(nextMillis));
      const job = await queue.getJob(occurrenceId);
      if (job === null) continue;
      const { state } = await this.locate(entry.name, occurrenceId);
      return jobInfoFromBull(job, {
        name: entry.name,
        state,
        dueAt: new Date(Number(nextMillis)),
        series: { id: jobId, repeat: entry.repeat, createdAt: new Date(entry.createdAt ?? job.timestamp) },
      });
    }
    return null;
  }

  /** Which of Bull's lists or sets holds the job, in one round trip. */
  private async locate(name: string, bullJobId: string): Promise<{ state: JobState; dueAt?: Date }> {
    const results =
      (await this.redis()
        .pipeline()
        .zscore(this.bullKey(name, 'completed'), bullJobId)
        .zscore(this.bullKey(name, 'failed'), bullJobId)
        .zscore(this.bullKey(name, 'delayed'), bullJobId)
        .lpos(this.bullKey(name, 'active'), bullJobId)
        .lpos(this.bullKey(name, 'wait'), bullJobId)
        .lpos(this.bullKey(name, 'paused'), bullJobId)
        .exec()) ?? [];
    const order: BullState[] = ['completed', 'failed', 'delayed', 'active', 'wait', 'paused'];
    for (const [index, bullState] of order.entries()) {
      const [error, value] = results[index] ?? [null, null];
      if (error) throw error;
      if (value !== null && value !== undefined) {
        return bullState === 'delayed'
          ? { state: 'scheduled', dueAt: dueTimeOfDelayedScore(Number(value)) }
          : { state: toJobState(bullState) };
      }
    }
    return { state: toJobState(null) };
  }

  async listJobs(query?: ListJobsQuery): Promise<JobInfo[]> {
    const { names, states, limit, offset } = normalizeListQuery(query);
    return this.withRedis(async () => {
      const byId = new Map<string, JobInfo>();
      for (const name of names ?? (await this.knownNames())) {
        // A job that moves from one list to another while we read may be seen twice.
        for await (const { info } of this.jobsOf(name, states)) byId.set(info.id, info);
      }
      return [...byId.values()].sort(compareByCreation).slice(offset, offset + limit);
    });
  }

  /**
   * The jobs of one name in the given states, read a page at a time from Bull's lists
   * and sets, then its repeating jobs from the queue's repeatables.
   */
  private async *jobsOf(name: string, states: readonly JobState[]): AsyncGenerator<{ info: JobInfo; removeOnComplete: boolean }> {
    const queue = await this.queueFor(name);
    for (const state of states) {
      for (const bullState of BULL_STATES_OF[state]) {
        for (let start = 0; ; start += PAGE_SIZE) {
          const page = (await queue.getJobs([bullState as Bull.JobStatus], start, start + PAGE_SIZE - 1, true)).filter(
            (job): job is Bull.Job => job !== null && job !== undefined && seriesIdOfBullJob(job) === undefined,
          );
          const dueTimes = bullState === 'delayed' ? await this.delayedDueTimes(name, page) : undefined;
          for (const [index, job] of page.entries()) {
            const dueAt = dueTimes?.[index];
            yield {
              info: jobInfoFromBull(job, { name, state, ...(dueAt === undefined ? {} : { dueAt }) }),
              removeOnComplete: job.opts.removeOnComplete === true,
            };
          }
          if (page.length < PAGE_SIZE && start + PAGE_SIZE >= (await this.sizeOf(name, bullState))) break;
        }
      }
    }
    for (let start = 0; ; start += PAGE_SIZE) {
      const repeatables = await queue.getRepeatableJobs(start, start + PAGE_SIZE - 1, true);
      const ids = await this.index.idsOfRepeatKeys(repeatables.map((repeatable) => repeatable.key));
      for (const id of ids) {
        if (id === null) continue;
        const entry = await this.index.lookup(id);
        const info = entry === null ? null : await this.seriesInfo(id, entry);
        if (info !== null && states.includes(info.state)) yield { info, removeOnComplete: false };
      }
      if (repeatables.length < PAGE_SIZE) break;
    }
  }

  /**
   * How many ids one of Bull's lists or sets holds. Occurrences of repeating jobs are
   * left out of a page, so a short page alone does not prove it was the last.
   */
  private async sizeOf(name: string, bullState: BullState): Promise<number> {
    const key = this.bullKey(name, bullState);
    const isList = bullState === 'wait' || bullState === 'paused' || bullState === 'active';
    return isList ? this.redis().llen(key) : this.redis().zcard(key);
  }

  private async delayedDueTimes(name: string, jobs: Bull.Job[]): Promise<(Date | undefined)[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.redis().pipeline();
    for (const job of jobs) pipeline.zscore(this.bullKey(name, 'delayed'), String(job.id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, score]) => (score === null || score === undefined ? undefined : dueTimeOfDelayedScore(Number(score))));
  }

  async retryJob(jobId: string): Promise<boolean> {
    return this.withRedis(async () => {
      const entry = await this.index.lookup(jobId);
      if (entry === null || entry.repeat !== undefined) return false;
      const queue = await this.queueFor(entry.name);
      // A fresh set of attempts: Bull's retry keeps the count, so reset it first, only if the job is failed.
      const reset = await this.redis().eval(
        "if redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('HSET', KEYS[1], 'attemptsMade', 0) return 1 end return 0",
        2,
        this.bullKey(entry.name, jobId),
        this.bullKey(entry.name, 'failed'),
        jobId,
      );
      if (reset !== 1) return false;
      const job = await queue.getJob(jobId);
      if (job === null) return false;
      try {
        await job.retry();
      } catch (error) {
        // Retried (or removed) by someone else in between.
        this.logger.debug('retry refused by Bull', { provider: this.name, jobId, error: (error as Error).message });
        return false;
      }
      return true;
    });
  }

  // --- processing ------------------------------------------------------------

  registerProcessor(processor: JobProcessor, options: RegisterOptions = {}): void {
    this.assertOpen();
    const name = validateJobName(processor?.name, 'processor.name');
    const concurrency = validateConcurrency(options.concurrency);
    if (this.processors.has(name)) throw new ValidationError('processor.name', `a processor for '${name}' is already registered`);
    this.processors.set(name, { processor, concurrency });
    if (this.started) {
      this.startProcessing(name).catch((error: unknown) => this.reportError(toError(error)));
    }
  }

  async start(): Promise<void> {
    await this.withRedis(async () => {
      this.started = true;
      await Promise.all([...this.processors.keys()].map((name) => this.startProcessing(name)));
    });
  }

  private async startProcessing(name: string): Promise<void> {
    const registration = this.processors.get(name);
    if (registration === undefined || this.closing !== undefined) return;
    const queue = await this.queueFor(name);
    const slot = this.queues.get(name)!;
    if (slot.processing) return;
    slot.processing = true;
    // Resolves only when the queue closes; errors of the loop are reported as they happen.
    queue
      .process(registration.concurrency, (job: Bull.Job) => this.runAttempt(name, registration.processor, job))
      .catch((error: unknown) => this.reportError(toError(error)));
  }

  /** Bull's handler: one attempt of one job. */
  private async runAttempt(name: string, processor: JobProcessor, job: Bull.Job): Promise<unknown> {
    if (this.closing !== undefined) {
      // Fetched as close() began: leave it to the stalled check of a worker that stays.
      return new Promise<never>(() => {});
    }
    // The timeout starts before anything is awaited, so it fires before Bull's own
    // `timeout` (set when this handler returns) and the failure carries our JobTimeoutError.
    const seriesId = seriesIdOfBullJob(job);
    const attempt: RunningAttempt = { control: new AttemptControl(seriesId ?? String(job.id), job.opts.timeout) };
    this.running.set(job, attempt);
    try {
      // A one-off job's JobInfo needs nothing from Redis: no await, no extra turn per attempt.
      const info = seriesId === undefined ? jobInfoFromBull(job, { name, state: 'active' }) : await this.occurrenceInfo(name, job, seriesId);
      if (info === null) {
        // An occurrence of a series cancelled meanwhile: complete it without running it.
        attempt.control.end();
        this.finishAttempt(job);
        return undefined;
      }
      attempt.info = info;
      const context = createJobContext({
        attempt: job.attemptsMade + 1,
        control: attempt.control,
        logger: this.logger,
        provider: this.name,
        job: info,
        saveProgress: async (percent) => {
          await job.progress(percent);
        },
      });
      return await attempt.control.run(() => processor.process(info, context));
    } catch (error) {
      if (attempt.control.reason instanceof ProviderClosedError) {
        // Shutting down: record nothing. Bull keeps the job active until its lock expires,
        // then the stalled check runs it again, as after a crash.
        this.finishAttempt(job);
        return new Promise<never>(() => {});
      }
      throw toError(error);
    }
  }

  /** The attempt's outcome is recorded (or it was given up): close() need not wait for it any more. */
  private finishAttempt(job: Bull.Job): void {
    this.running.delete(job);
    if (this.running.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** Resolves when no attempt runs in this process (close() waits on it). */
  private whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The JobInfo the processor of an occurrence gets: state active, with its series; null once the series is cancelled. */
  private async occurrenceInfo(name: string, job: Bull.Job, seriesId: string): Promise<JobInfo | null> {
    const entry = await this.index.lookup(seriesId);
    if (entry?.repeat === undefined) return null;
    return jobInfoFromBull(job, {
      name,
      state: 'active',
      dueAt: occurrenceDueTime(job),
      series: { id: seriesId, repeat: entry.repeat, createdAt: new Date(entry.createdAt ?? job.timestamp) },
    });
  }

  /** Bull's custom backoff strategy: core's maths, so `maxDelayMs` and `jitter` hold. */
  private readonly backoffStrategy = (attemptsMade: number, error: Error, options?: unknown): number => {
    const delay = computeBackoffDelay(options as BackoffOptions | undefined, attemptsMade);
    if (error !== null && typeof error === 'object') this.backoffDelays.set(error, delay);
    return delay;
  };

  private onCompleted(name: string, job: Bull.Job, result: unknown): void {
    const base = this.running.get(job)?.info;
    this.finishAttempt(job);
    if (base === undefined) return;
    const stored = toStoredResult(result);
    const progress: unknown = job.progress();
    const info: JobInfo = {
      ...base,
      state: 'completed',
      runAt: null,
      finishedAt: new Date(job.finishedOn ?? Date.now()),
      attemptsMade: job.attemptsMade + 1,
      progress: typeof progress === 'number' ? progress : base.progress,
    };
    if (stored !== undefined) info.result = stored;
    this.logger.debug('job completed', { provider: this.name, jobName: name, jobId: info.id });
    this.emitSafely('completed', info, stored);
    if (job.opts.removeOnComplete === true && base.repeat === undefined) {
      // Bull deleted the job: free its id.
      this.index.release([base.id]).catch((error: unknown) => this.reportError(toError(error)));
    }
  }

  private onFailed(name: string, job: Bull.Job | null | undefined, error: Error): void {
    if (job === null || job === undefined) return;
    const base = this.running.get(job)?.info ?? jobInfoFromBull(job, { name, state: 'active' });
    this.finishAttempt(job);
    const id = seriesIdOfBullJob(job) ?? base.id;
    const maxAttempts = job.opts.attempts ?? 1;
    const failedReason = error?.message ?? String(error);
    // Bull gives up on a job that stalled more than maxStalledCount times, whatever its attempts.
    const stalledTooOften = /stalled more than allowable limit/.test(failedReason);
    if (job.attemptsMade >= maxAttempts || stalledTooOften) {
      const info: JobInfo = { ...base, id, state: 'failed', runAt: null, finishedAt: new Date(job.finishedOn ?? Date.now()),
        attemptsMade: job.attemptsMade, failedReason };
      this.logger.warn('job failed', { provider: this.name, jobName: name, jobId: id, error: failedReason });
      this.emitSafely('failed', info, error);
      return;
    }
    const delayMs = this.backoffDelays.get(error) ?? 0;
    const info: JobInfo = { ...base, id, state: delayMs > 0 ? 'scheduled' : 'waiting', runAt: new Date(Date.now() + delayMs),
      attemptsMade: job.attemptsMade, failedReason };
    this.logger.info('job attempt failed, retrying', {
      provider: this.name, jobName: name, jobId: id, attempt: job.attemptsMade, delayMs, error: failedReason,
    });
    this.emitSafely('retrying', info, error, delayMs);
  }

  private onStalled(name: string, job: Bull.Job | null | undefined): void {
    if (job === null || job === undefined) return;
    const id = seriesIdOfBullJob(job) ?? String(job.id);
    this.logger.warn('job stalled: its worker stopped renewing the lock; it will run again', { provider: this.name, jobName: name, jobId: id });
    this.emitSafely('stalled', id, name);
  }

  // --- queues ----------------------------------------------------------------

  /** The Bull queue of `name`, created on first use (paused at once if `pause()` paused every name). */
  private queueFor(name: string): Promise<Bull.Queue> {
    const existing = this.queues.get(name);
    if (existing !== undefined) return existing.ready;
    const connection = this.connection;
    if (connection === undefined) throw new Error('connect() first');
    const slot = {} as QueueSlot;
    slot.processing = false;
    slot.queue = new Bull(name, {
      prefix: this.prefix,
      createClient: (type) => {
        const client = connection.createClient(type);
        if (type === 'bclient') slot.blockingClient = client;
        return client;
      },
      settings: {
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        maxStalledCount: this.options.maxStalledCount ?? 1,
        retryProcessDelay: this.options.retryProcessDelayMs ?? 1000,
        backoffStrategies: { [SWITCHYARD_BACKOFF]: this.backoffStrategy },
      },
    });
    slot.queue.on('error', (error: Error) => this.reportError(error));
    slot.queue.on('completed', (job: Bull.Job, result: unknown) => this.onCompleted(name, job, result));
    slot.queue.on('failed', (job: Bull.Job, error: Error) => this.onFailed(name, job, error));
    slot.queue.on('stalled', (job: Bull.Job) => this.onStalled(name, job));
    slot.ready = (async () => {
      await this.index.addName(name);
      if (await this.index.isPausedEverywhere()) await slot.queue.pause();
      slot.usable = slot.queue;
      return slot.queue;
    })();
    this.queues.set(name, slot);
    // A queue that could not be set up (Redis down) is made again on next use.
    slot.ready.catch(() => {
      if (this.queues.get(name) === slot) this.queues.delete(name);
      void slot.queue.close(true).catch(() => {});
    });
    return slot.ready;
  }

  /** Bull's key of a queue's list or set, or of a job hash. */
  private bullKey(name: string, suffix: string): string {
    return `${this.prefix}:${name}:${suffix}`;
  }

  private async knownNames(): Promise<string[]> {
    return [...new Set([...(await this.index.names()), ...this.queues.keys()])];
  }

  async pause(name?: string): Promise<void> {
    await this.setPaused(name, true);
  }

  async resume(name?: string): Promise<void> {
    await this.setPaused(name, false);
  }

  /** One name's Bull queue, or every known one plus the flag that names first used later will read. */
  private async setPaused(name: string | undefined, paused: boolean): Promise<void> {
    if (name !== undefined) validateJobName(name);
    const apply = (queue: Bull.Queue) => (paused ? queue.pause() : queue.resume());
    await this.withRedis(async () => {
      if (name !== undefined) {
        await apply(await this.queueFor(name));
        return;
      }
      await this.index.setPausedEverywhere(paused);
      await Promise.all((await this.knownNames()).map(async (each) => apply(await this.queueFor(each))));
    });
  }

  async getStats(name?: string): Promise<JobStats> {
    if (name !== undefined) validateJobName(name);
    return this.withRedis(async () => {
      if (name !== undefined) {
        const queue = await this.queueFor(name);
        const [counts, paused] = await Promise.all([queue.getJobCounts(), queue.isPaused()]);
        return { ...jobCountsFromBull(counts as unknown as Record<string, number>), paused };
      }
      const stats: JobStats = { ...emptyJobCounts(), paused: await this.index.isPausedEverywhere() };
      for (const each of await this.knownNames()) {
        const counts = jobCountsFromBull((await (await this.queueFor(each)).getJobCounts()) as unknown as Record<string, number>);
        for (const state of Object.keys(counts) as JobState[]) stats[state] += counts[state];
      }
      return stats;
    });
  }

  async checkHealth(): Promise<HealthStatus> {
    const startedAt = Date.now();
    if (this.closing !== undefined) return { healthy: false, provider: this.name, latencyMs: 0, error: 'provider is closed' };
    try {
      await this.connect();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.redis().ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to PING within ${HEALTH_CHECK_TIMEOUT_MS} ms`)), HEALTH_CHECK_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      return { healthy: true, provider: this.name, latencyMs: Date.now() - startedAt };
    } catch (error) {
      const message = redactSecrets(toError(error).message, this.options.redisUrl);
      return { healthy: false, provider: this.name, latencyMs: Date.now() - startedAt, error: message };
    }
  }

  async clean(options: CleanOptions): Promise<number> {
    const { states, olderThanMs } = validateCleanOptions(options);
    return this.withRedis(async () => {
      let removed = 0;
      for (const name of await this.knownNames()) {
        const queue = await this.queueFor(name);
        for (const state of states) {
          const ids = (await queue.clean(olderThanMs, state)) as unknown[];
          removed += ids.length;
          await this.index.release(ids.map((id) => String((id as { id?: unknown })?.id ?? id)));
        }
      }
      return removed;
    });
  }

  async *exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot> {
    const { names, states } = normalizeExportQuery(query);
    const selected = await this.withRedis(async () => names ?? (await this.knownNames()));
    for (const name of selected) {
      const pages = this.jobsOf(name, states);
      for (;;) {
        const next = await this.withRedis(() => pages.next());
        if (next.done === true) break;
        yield toJobSnapshot(next.value.info, { removeOnComplete: next.value.removeOnComplete });
      }
    }
  }

  async importJobs(
    jobs: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const onExisting = validateOnExisting(options);
    return this.withRedis(() =>
      importSnapshots(
        {
          index: this.index,
          redis: () => this.redis(),
          queueFor: (name) => this.queueFor(name),
          bullKey: (name, suffix) => this.bullKey(name, suffix),
          removeJob: (id, entry) => this.removeJob(id, entry),
          maxPayloadBytes: this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
        },
        jobs,
        onExisting,
      ),
    );
  }

  // --- shutdown ----------------------------------------------------------------


  async close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutDown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    const connection = this.connection;
    // A connect() still under way ends on its own; once it has, nothing is left to close.
    await this.connecting?.catch(() => {});
    const slots = [...this.queues.values()];
    // 1. Stop fetching: Bull's local pause, with no wait for active jobs here. Ending the
    //    blocking connection first spares Bull a QUIT stuck behind a blocking BRPOPLPUSH.
    await Promise.all(
      slots
        .filter((slot) => slot.processing)
        .map((slot) => {
          slot.blockingClient?.disconnect();
          return withTimeout(slot.queue.pause(true, true), QUEUE_CLOSE_TIMEOUT_MS).catch(() => {});
        }),
    );
    // 2. Let active attempts finish, up to the deadline; then abort them.
    if (this.running.size > 0) {
      const finished = await withTimeout(this.whenIdle(), timeoutMs).then(() => true, () => false);
      if (!finished) {
        this.logger.warn('close timed out: aborting active jobs', { provider: this.name, active: this.running.size });
        for (const attempt of this.running.values()) attempt.control.abort(new ProviderClosedError(this.name));
        // Processors that honour the signal end at once; Bull may still be recording a
        // failure (or be unable to, with Redis down): give it a moment, not forever.
        await withTimeout(this.whenIdle(), ABORT_GRACE_MS).catch(() => {});
      }
    }
    // 3. Close the Bull queues (their timers), then end every connection whatever state Redis is in.
    await Promise.all(slots.map((slot) => withTimeout(slot.queue.close(true), QUEUE_CLOSE_TIMEOUT_MS).catch(() => {})));
    connection?.disconnect();
    this.logger.info('provider closed', { provider: this.name });
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new ProviderClosedError(this.name);
  }

  /**
   * Reports an error that belongs to no call: as an 'error' event when someone listens
   * (an unheard 'error' event would crash the process), in the log otherwise. An outage
   * makes every connection report the same thing; it is reported once a second at most.
   */
  private reportError(error: Error): void {
    const message = redactSecrets(error?.message ?? String(error), this.options.redisUrl);
    if (this.closing !== undefined) {
      this.logger.debug('error while closing', { provider: this.name, error: message });
      return;
    }
    const now = Date.now();
    if (now - (this.recentErrors.get(message) ?? -Infinity) < ERROR_REPEAT_WINDOW_MS) return;
    this.recentErrors.set(message, now);
    if (this.recentErrors.size > 100) this.recentErrors.clear();
    if (this.listenerCount('error') > 0) {
      this.emit('error', message === error.message ? error : new Error(message));
    } else {
      this.logger.error('Redis or Bull error', { provider: this.name, error: message });
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
