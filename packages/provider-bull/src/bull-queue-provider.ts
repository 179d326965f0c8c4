/**
 * `QueueProvider` on Bull 4 and Redis, on the provider kit (`BaseQueueProvider` owns the
 * lifecycle, argument checks, close sequence and reporting). The roles: `BullQueueRegistry`
 * (a Bull queue per name), `BullKeys` (the key layout), `BullJobIndex` (ids across names),
 * `BullJobWriter`, `BullJobReader`, `BullWorker`, `importSnapshotBatch`.
 *
 * - One Bull queue per job name (`<prefix>:<name>:*` keys), created on first use; all
 *   queues share one command connection and one subscriber, and each worker queue has
 *   its own blocking connection (see `BullConnection`).
 * - Job ids are unique per provider: a caller's id is claimed in `BullJobIndex` (HSETNX)
 *   before its Bull job is added. Ids are random UUIDs when none is given, and those
 *   need no claim.
 * - An existing prefix (plain Bull's default is `bull`): every Bull queue under it is
 *   a job name, used or not (`bull-queue-discovery.ts`), and its processor runs every
 *   Bull job name of the queue. A job plain Bull code added is known as
 *   `<queue>:<bull id>` (`email-notifications:7`), everywhere; `getJob`, `cancelJob`
 *   and `retryJob` also take the bare Bull id when one queue only holds a plain job of
 *   it, and reject with `ValidationError` (`jobId`) naming the qualified ids when
 *   several do. An id a plain job holds, bare or qualified, is taken: scheduling it
 *   adds nothing. See `plain-bull-job-id.ts`.
 * - Backoffs are Bull's own `fixed` / `exponential` where exact; others need, in a
 *   plain Bull worker, `settings: { backoffStrategies: SWITCHYARD_BACKOFF_STRATEGIES }`
 *   (`bull-backoff.ts`).
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
import type { Redis } from 'ioredis';
import {
  ValidationError,
  SwitchyardError,
  type CleanOptions,
  type CommonProviderOptions,
  type ImportReport,
  type JobInfo,
  type JobProcessor,
  type RegisterOptions,
  type JobSnapshot,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
  type ValidatedSchedule,
  BackendError,
  toError,
} from '@switchyard/core';
import { BaseQueueProvider } from '@switchyard/core/provider-kit';
import { SWITCHYARD_BACKOFF } from './bull-backoff.js';
import { validateBullJobNames } from './bull-job-name-processor.js';
import { BullConnection, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS } from './bull-connection.js';
import { BullJobIndex } from './bull-job-index.js';
import { BullJobReader } from './bull-job-reader.js';
import { BullJobWriter } from './bull-job-writer.js';
import { BullKeys } from './bull-keys.js';
import { BullQueueRegistry } from './bull-queue-registry.js';
import { importSnapshotBatch, IMPORT_BATCH_SIZE } from './bull-snapshot-import.js';
import { BullWorker } from './bull-worker.js';
import { FinishedJobTrimmer } from './finished-job-trimmer.js';

export interface BullQueueProviderOptions extends CommonProviderOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`. */
  redisUrl: string;
  /** Prefix of every Redis key (Bull's `prefix`); one prefix = one isolated provider. Default 'switchyard'. */
  prefix?: string;
  /** How long `connect()` may take before it fails with `ProviderUnavailableError`; default 3000. */
  connectTimeoutMs?: number;
  /** How long Redis may answer nothing before the commands waiting on it fail (`ProviderUnavailableError`); default 5000. */
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

export class BullQueueProvider extends BaseQueueProvider {
  readonly name = 'bull';

  private readonly prefix: string;
  private readonly keys: BullKeys;
  private readonly index: BullJobIndex;
  private readonly queues: BullQueueRegistry;
  private readonly reader: BullJobReader;
  private readonly writer: BullJobWriter;
  private readonly worker: BullWorker;
  private readonly trimmer: FinishedJobTrimmer;
  private connection: BullConnection | undefined;

  constructor(private readonly options: BullQueueProviderOptions) {
    super(options ?? {}, [options?.redisUrl]);
    if (typeof options?.redisUrl !== 'string' || options.redisUrl === '') {
      throw new ValidationError('redisUrl', 'must be a redis:// URL');
    }
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.keys = new BullKeys(this.prefix);
    const redis = () => this.redis();
    this.index = new BullJobIndex(redis, this.keys);
    // The registry makes queues that the worker watches and whose retries its strategy
    // times, and the worker asks the registry for queues: hence the arrows.
    this.queues = new BullQueueRegistry({
      prefix: this.prefix,
      keys: this.keys,
      connection: () => {
        if (this.connection === undefined) throw new Error('connect() first');
        return this.connection;
      },
      index: this.index,
      bullSettings: {
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 1,
        retryProcessDelay: options.retryProcessDelayMs ?? 1000,
        backoffStrategies: {
          [SWITCHYARD_BACKOFF]: (attemptsMade, error, backoff) =>
            this.worker.backoffStrategy(attemptsMade, error, backoff),
        },
      },
      onQueueMade: (name, queue) => this.worker.watch(name, queue),
    });
    this.trimmer = new FinishedJobTrimmer(redis, this.keys, this.index, (error) => this.reportError(toError(error)));
    this.worker = new BullWorker(this.attemptHost(), this.queues, this.index, this.trimmer);
    const access = { redis, keys: this.keys, index: this.index, queues: this.queues };
    this.reader = new BullJobReader(access);
    this.writer = new BullJobWriter({ ...access, logger: this.logger, providerName: this.name });
  }

  /**
   * Also checks a `BullJobNameProcessor`'s `bullJobNames` (see `bull-job-name-processor.ts`),
   * after the kit's lifecycle guard would have refused the call, as for every argument.
   */
  override registerProcessor(processor: JobProcessor, options?: RegisterOptions): void {
    if (!this.isClosing) validateBullJobNames(processor);
    super.registerProcessor(processor, options);
  }

  // --- connection --------------------------------------------------------------------

  protected async _connect(): Promise<void> {
    const connection = new BullConnection(this.options.redisUrl, {
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      onError: (error) => this.reportError(error),
    });
    try {
      await connection.open();
    } catch (error) {
      // The caller gets the error; logging it as an error too would report it twice.
      this.logger.debug('cannot connect to Redis', { provider: this.name, error: toError(error).message });
      throw error;
    }
    this.connection = connection;
    try {
      // Plain Bull queues under the prefix become known names now, before any claim of an id.
      await this.queues.knownNames();
    } catch (error) {
      this.connection = undefined;
      connection.disconnect();
      throw error;
    }
    const { host, port } = connection.endpoint;
    this.logger.info('connected to Redis', { provider: this.name, host, port, prefix: this.prefix });
  }

  private redis(): Redis {
    if (this.connection === undefined) throw new Error('connect() first');
    return this.connection.sharedClient();
  }

  protected async _ping(): Promise<void> {
    await this.redis().ping();
  }

  /** Redis being unreachable is `ProviderUnavailableError`; any other Redis or Bull error a `BackendError`. */
  protected override translateError(error: unknown): Error {
    if (error instanceof SwitchyardError) return error;
    if (this.connection?.isConnectionError(error)) return this.connection.unavailable(error);
    return new BackendError(this.name, this.redact(toError(error).message), { cause: error });
  }

  // --- storage hooks ---------------------------------------------------------------------

  protected _schedule(schedule: ValidatedSchedule): Promise<string> {
    return this.writer.schedule(schedule, Date.now());
  }

  protected _cancel(jobId: string): Promise<boolean> {
    return this.writer.cancel(jobId);
  }

  protected _getJob(jobId: string): Promise<JobInfo | null> {
    return this.reader.getJob(jobId);
  }

  protected _listJobs(query: NormalizedListQuery): Promise<JobInfo[]> {
    return this.reader.listJobs(query);
  }

  protected _retry(jobId: string): Promise<boolean> {
    return this.writer.retry(jobId);
  }

  protected async _start(): Promise<void> {
    await Promise.all([...this.registrations().keys()].map((name) => this.worker.startProcessing(name)));
  }

  protected _startName(name: string): Promise<void> {
    return this.worker.startProcessing(name);
  }

  protected _setPaused(name: string | undefined, paused: boolean): Promise<void> {
    return this.writer.setPaused(name, paused);
  }

  protected _getStats(name: string | undefined): Promise<JobStats> {
    return this.reader.getStats(name);
  }

  protected _clean(options: CleanOptions): Promise<number> {
    return this.writer.clean(options);
  }

  protected _exportJobs({ names, states }: { names: string[] | null; states: JobState[] }): AsyncIterable<JobSnapshot> {
    return this.reader.exportJobs(names, states);
  }

  protected override get importBatchSize(): number {
    return IMPORT_BATCH_SIZE;
  }

  protected _importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport> {
    return importSnapshotBatch(
      {
        index: this.index,
        redis: () => this.redis(),
        queueFor: (name) => this.queues.queueFor(name),
        bullKey: (name, suffix) => this.keys.queue(name, suffix),
        removeJob: (id, entry) => this.writer.removeJob(id, entry),
      },
      snapshots,
      onExisting,
    );
  }

  // --- closing -----------------------------------------------------------------------------

  protected _stopFetching(): Promise<void> {
    return this.queues.stopFetching();
  }

  /** Closes the Bull queues (their timers), then ends every connection whatever state Redis is in. */
  protected async _disconnect(): Promise<void> {
    // What finished while closing is trimmed now, not left for the next worker's finishes.
    await this.trimmer.flush();
    await this.queues.closeAll();
    this.connection?.disconnect();
  }
}
