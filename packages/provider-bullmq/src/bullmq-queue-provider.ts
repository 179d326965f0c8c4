/**
 * `QueueProvider` on BullMQ 6, on Redis (ioredis) or on PostgreSQL (pg, BullMQ's own
 * PostgreSQL backend), on the provider kit (`BaseQueueProvider` owns the lifecycle,
 * argument checks, close sequence and reporting). The roles: a `BullMQBackend` per
 * storage (`RedisBackend`, `PostgresBackend`), `BullMQQueues` (a BullMQ `Queue` per
 * name), `JobDirectory` (ids across names), `BullMQJobWriter`, `BullMQJobReader`,
 * `BullMQWorkers`. Every storage call goes through BullMQ's backend-neutral `Queue`,
 * `Job` and `Worker`, so both storages behave alike.
 *
 * BullMQ's states and the contract's:
 *
 * ```
 *                 BullMQ 6                                     Switchyard JobState
 *
 *   add ──(delay > 0)──> delayed (due time in BullMQ's index) .......... scheduled
 *    │                      │   ^                        (waiting once it is due)
 *    │   (due: a worker     │   │ (attempt failed, backoff delay > 0: moveToDelayed;
 *    │    promotes it)      v   │  a job scheduler's next iteration)
 *    └──────(delay 0)────> prioritized (every job has priority 1..10) ... waiting
 *                          waiting / paused / waiting-children ........... waiting
 *                           │   ^
 *        (moveToActive)     │   │ (attempt failed, no backoff; stalled: lock expired)
 *                           v   │
 *                         active (locked by a worker's token) ........... active
 *                           │
 *              ┌────────────┴─────────────┐
 *              v (returned)               v (threw, no attempts left,
 *          completed ......... completed   failed ......... failed ──(retryJob)──> waiting
 *                                          or stalled more than maxStalledCount)
 *
 *   repeat: a job scheduler (`upsertJobScheduler`, id = the caller's id) keeps one
 *   delayed iteration (`repeat:<id>:<millis>`) and adds the next when one starts;
 *   Switchyard shows the series as ONE job with the caller's id, in the state of its
 *   current iteration. Cancelling removes the scheduler and its pending iteration.
 * ```
 *
 * - One BullMQ queue per job name; on Redis under `prefix`, on PostgreSQL in `schema`.
 *   Jobs other BullMQ producers add to those queues are seen (listed, found by id,
 *   exported) and run like the provider's own.
 * - Ids are unique per provider: each is claimed in the `JobDirectory` before its job is
 *   added; a claimed id is a no-op that returns it. Ids BullMQ refuses (integers, `:`)
 *   or that name its keys are encoded (`toBullMQJobId`).
 * - pause() with no name pauses every name known then (used, or registered here); a
 *   name first used later starts unpaused (BullMQ pauses queues, not the provider).
 *   A job a worker claimed as a pause made here landed goes back to waiting unstarted
 *   (on PostgreSQL BullMQ's claim can race a pause: `local-pauses.ts`).
 * - Timing: a delayed job is promoted when a worker of its name next looks (BullMQ
 *   wakes it for the earliest due job), so `runAt` is honoured to within a few
 *   milliseconds on Redis, and to within BullMQ's `LISTEN`/poll round on PostgreSQL.
 * - A crashed worker's job: its lock (`lockDurationMs`) expires and the next stalled
 *   check (every `stalledIntervalMs`) puts it back to wait and emits 'stalled'.
 * - close(): the workers stop fetching, active jobs finish until `timeoutMs`, then their
 *   signals are aborted; an aborted attempt is not recorded, so the stalled check runs
 *   it again (at least once).
 * - Import: jobs still to run are added, repeating ones as job schedulers; BullMQ's API
 *   adds no finished job, so a completed or failed snapshot is written as BullMQ leaves
 *   one (`BullMQBackend.addFinishedJob`), finished at the time of the import.
 *
 * @example
 * ```ts
 * const queue = new BullMQQueueProvider({ backend: 'postgres', databaseUrl: 'postgres://app@db/app', schema: 'jobs' });
 * await queue.connect();
 * queue.registerProcessor({ name: 'invoice', process: async (job) => sendInvoice(job.data) }, { concurrency: 4 });
 * await queue.start();
 * await queue.scheduleJob('invoice', { orderId: 'o-1' }, { jobId: 'invoice-o-1', delayMs: 60_000 });
 * ```
 */
import {
  BackendError,
  SwitchyardError,
  ValidationError,
  toError,
  type CleanOptions,
  type CommonProviderOptions,
  type ImportReport,
  type JobInfo,
  type JobSnapshot,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
  type ValidatedSchedule,
} from '@switchyard/core';
import { BaseQueueProvider } from '@switchyard/core/provider-kit';
import type { BullMQBackend } from './bullmq-backend.js';
import { BullMQJobReader } from './bullmq-job-reader.js';
import { BullMQJobWriter } from './bullmq-job-writer.js';
import { BullMQQueues } from './bullmq-queues.js';
import { BullMQWorkers } from './bullmq-worker.js';
import { FinishedJobTrimmer } from './finished-job-trimmer.js';
import { LocalPauses } from './local-pauses.js';
import { PendingReleases } from './pending-releases.js';
import { DEFAULT_PREFIX, DEFAULT_SCHEMA, openBackend, type BullMQConnectionOptions } from './open-backend.js';

export type BullMQQueueProviderOptions = CommonProviderOptions &
  BullMQConnectionOptions & {
    /** BullMQ's `lockDuration`: how long a worker's claim on an active job lasts without renewal; default 30 000. */
    lockDurationMs?: number;
    /** BullMQ's `stalledInterval`: how often workers look for jobs whose lock expired; default 30 000. */
    stalledIntervalMs?: number;
    /** BullMQ's `maxStalledCount`: stalls after which a job fails instead of running again; default 1. */
    maxStalledCount?: number;
  };

export class BullMQQueueProvider extends BaseQueueProvider {
  readonly name = 'bullmq';

  private readonly queues: BullMQQueues;
  private readonly reader: BullMQJobReader;
  private readonly writer: BullMQJobWriter;
  private readonly workers: BullMQWorkers;
  private readonly trimmer: FinishedJobTrimmer;
  private readonly releases: PendingReleases;
  private connection: BullMQBackend | undefined;

  constructor(private readonly options: BullMQQueueProviderOptions) {
    super(options ?? {}, [options?.redisUrl, options?.databaseUrl]);
    checkConnectionOptions(options);
    const backend = () => {
      if (this.connection === undefined) throw new Error('connect() first');
      return this.connection;
    };
    this.queues = new BullMQQueues(backend);
    this.reader = new BullMQJobReader(backend, this.queues);
    this.releases = new PendingReleases(
      () => backend().directory,
      (error) => this.reportError(toError(error)),
    );
    const pauses = new LocalPauses((name) => this.queues.queueFor(name).isPaused());
    this.writer = new BullMQJobWriter(
      backend,
      this.queues,
      (jobId) => this.reader.locate(jobId),
      () => this.registrations().keys(),
      this.logger,
      this.releases,
      pauses,
    );
    this.trimmer = new FinishedJobTrimmer(
      (name) => this.queues.queueFor(name),
      () => backend().directory,
      (error) => this.reportError(toError(error)),
    );
    this.workers = new BullMQWorkers(
      this.attemptHost(),
      backend,
      (name) => this.queues.queueFor(name).waitUntilReady(),
      {
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 1,
      },
      this.trimmer,
      this.releases,
      pauses,
    );
  }

  protected async _connect(): Promise<void> {
    try {
      this.connection = await openBackend(this.options, (error) => this.reportError(error));
    } catch (error) {
      // The caller gets the error; logging it as an error too would report it twice.
      this.logger.debug('cannot connect', { provider: this.name, error: toError(error).message });
      throw error;
    }
    const { kind, endpoint } = this.connection;
    const namespace =
      kind === 'redis'
        ? { prefix: this.options.prefix ?? DEFAULT_PREFIX }
        : { schema: this.options.schema ?? DEFAULT_SCHEMA };
    this.logger.info('connected', {
      provider: this.name,
      backend: kind,
      host: endpoint.host,
      port: endpoint.port,
      ...namespace,
    });
  }

  protected async _ping(): Promise<void> {
    await this.connection?.ping();
  }

  /** The server being unreachable is `ProviderUnavailableError`; any other error a `BackendError`. */
  protected override translateError(error: unknown): Error {
    if (error instanceof SwitchyardError) return error;
    if (this.connection?.isConnectionError(error)) return this.connection.unavailable(error);
    return new BackendError(this.name, this.redact(toError(error).message), { cause: error });
  }

  /**
   * Errors of no call (a worker's, the provider's own connection's) that mean the server
   * is gone are reported as `ProviderUnavailableError` naming host and port: the raw
   * ones may name neither (pg: `Connection terminated unexpectedly`).
   */
  protected override reportError(error: Error): void {
    super.reportError(this.connection?.isConnectionError(error) ? this.connection.unavailable(error) : error);
  }

  protected _schedule(schedule: ValidatedSchedule): Promise<string> {
    return this.writer.schedule(schedule);
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
    await Promise.all([...this.registrations().keys()].map((name) => this.workers.startProcessing(name)));
  }

  protected _startName(name: string): Promise<void> {
    return this.workers.startProcessing(name);
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

  protected _importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport> {
    return this.writer.importBatch(snapshots, onExisting);
  }

  protected _stopFetching(): Promise<void> {
    return this.workers.stopFetching();
  }

  /** Closes the workers and queues, then the provider's own connection, whatever state the server is in. */
  protected async _disconnect(): Promise<void> {
    await this.workers.closeAll();
    // What the last finishes asked for, while the connections are still open.
    await this.trimmer.flush();
    await this.releases.flush();
    await this.queues.closeAll();
    await this.connection?.close();
  }
}

function checkConnectionOptions(options: BullMQQueueProviderOptions | undefined): void {
  const backend = options?.backend ?? 'redis';
  if (backend !== 'redis' && backend !== 'postgres')
    throw new ValidationError('backend', "must be 'redis' or 'postgres'");
  if (backend === 'redis' && (typeof options?.redisUrl !== 'string' || options.redisUrl === '')) {
    throw new ValidationError('redisUrl', 'must be a redis:// URL');
  }
  if (backend === 'postgres' && (typeof options?.databaseUrl !== 'string' || options.databaseUrl === '')) {
    throw new ValidationError('databaseUrl', 'must be a postgres:// URL');
  }
}
