import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Agenda } from 'agenda';
import {
  JOB_STATES,
  ValidationError,
  emptyJobCounts,
  toJobSnapshot,
  type CleanOptions,
  type Endpoint,
  type ImportReport,
  type JobInfo,
  type JobSnapshot,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
  type ValidatedSchedule,
} from '@switchyard/core';
import { BaseQueueProvider } from '@switchyard/core/provider-kit';
import type { AgendaJobDocument } from './agenda-job-document.js';
import {
  DEFAULT_AGENDA_COLLECTION,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LOCK_LIFETIME_MS,
  DEFAULT_PROCESS_EVERY_MS,
  positiveInteger,
  type AgendaQueueProviderOptions,
} from './agenda-options.js';
import { AgendaStore, translateMongoError } from './agenda-store.js';
import { AgendaWorker } from './agenda-worker.js';
import { retentionOfDocument } from './document-retention.js';
import { FinishedDocumentTrimmer } from './finished-document-trimmer.js';
import { isDuplicateKeyError } from './connectivity-errors.js';
import { writeImportBatch } from './import-batch.js';
import { LISTING_ORDER } from './job-indexes.js';
import { finishedBefore, listingFilter, stateFilter, toJobInfo } from './job-state-mapping.js';
import { endpointOfDb, mongoEndpointOf } from './mongo-endpoint.js';
import { documentFromSnapshot, newJobDocument, retriedJobFields } from './new-job-document.js';
import { PAUSE_SETTLES_AFTER_MS } from './pause-flags.js';
import { plainJobOperations as plainJobs } from './plain-job-operations.js';

/** Jobs per bulk write on import: bounded memory for streams of any length. */
const IMPORT_BATCH_SIZE = 500;
/** Documents per cursor batch on export. */
const EXPORT_BATCH_SIZE = 200;
/** Agenda's process-wide cap on running jobs; the per-name concurrency is the limit that matters. */
const AGENDA_MAX_CONCURRENCY = 10_000;

/**
 * `QueueProvider` on Agenda 6 and MongoDB (`@agendajs/mongo-backend`, mongodb driver 7),
 * on the provider kit (`BaseQueueProvider` owns the lifecycle, argument checks, close
 * sequence and reporting). The roles: `AgendaStore` (MongoDB: connecting, the
 * collection, saves, pause flags, errors), `AgendaWorker` (Agenda's definitions and
 * handler, `runJobAttempt`), this file (the storage hooks).
 *
 * How the contract maps onto Agenda (the job's life is drawn in `job-state-mapping.ts`):
 * - one job name = one Agenda definition; its concurrency is also its lock limit, so
 *   a worker never holds more jobs of a name than it can run, and the next job is
 *   picked from MongoDB by priority when a slot frees (see `LOCK_ORDER`);
 * - `jobId` is a field with a unique index: two producers cannot double a job, and
 *   ids are unique across names; Agenda keeps its ObjectId `_id`;
 * - plain Agenda jobs on the collection (no jobId) are seen, run and exported, their
 *   id their ObjectId in hex: see `plain-agenda-job.ts`;
 * - priority 1..10 maps onto Agenda's (higher first): see `toAgendaPriority`;
 * - attempts and backoff are the provider's (core's `computeBackoffDelay`, which keeps
 *   jitter below `maxDelayMs`; Agenda's own strategies add jitter both ways);
 * - repeats are Agenda's `repeatInterval` / `repeatTimezone` (cron in UTC unless a
 *   tz is given); cancelling stops them for good, even mid-occurrence;
 * - a running job's lock is renewed every lockLifetime / 3; a worker that dies stops
 *   renewing, and after `lockLifetimeMs` another worker runs the job again ('stalled');
 * - pause is Agenda's `disabled` flag plus a flag per name in `<collection>_paused`, so
 *   it holds for every worker on the collection, and for names first used later;
 * - events are emitted once Agenda has saved the job: a listener that calls getJob
 *   sees what the event says.
 *
 * Timing and `runAt` precision: each worker polls every `processEveryMs` (default
 * 5000) and locks the jobs due before its next poll, then starts each on a local timer
 * at its `runAt`. So a job starts within a few milliseconds of its `runAt` when a slot
 * of its name is free, and at worst one `processEveryMs` late: when it is scheduled
 * from another process for less than `processEveryMs` ahead, or when its name's slots
 * were busy. Jobs scheduled through a started provider wake it at once. 5 s suits
 * reminders; lower it for snappier queues at the cost of one query per name per poll.
 *
 * MongoDB down: `connect()` rejects within about `connectTimeoutMs` with
 * `ProviderUnavailableError` naming host and port (never the password); so does any
 * call made while the server cannot be reached. `close()` never hangs.
 *
 * @example
 * ```ts
 * const queue = new AgendaQueueProvider({ mongoUrl: 'mongodb://localhost:27017/app' });
 * await queue.connect();
 * queue.registerProcessor({ name: 'booking-reminder', process: async (job) => remind(job.data) }, { concurrency: 5 });
 * await queue.start();
 * await queue.scheduleJob('booking-reminder', { bookingId: 'b-1' }, { runAt: dayBefore, jobId: 'reminder:b-1' });
 * ```
 */
export class AgendaQueueProvider extends BaseQueueProvider {
  readonly name = 'agenda';

  private readonly collectionName: string;
  private readonly processEveryMs: number;
  private readonly lockLifetimeMs: number;
  private readonly connectTimeoutMs: number;
  private readonly endpoint: Endpoint;
  /** Agenda's instance name: shows in `lastModifiedBy`, and tells our locks from other workers'. */
  private readonly workerName = `switchyard-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly worker: AgendaWorker;
  private connected: { store: AgendaStore; agenda: Agenda } | undefined;

  constructor(private readonly options: AgendaQueueProviderOptions) {
    super(options ?? {}, [options?.mongoUrl]);
    this.collectionName = options.collection ?? DEFAULT_AGENDA_COLLECTION;
    if (
      typeof this.collectionName !== 'string' ||
      this.collectionName.trim() === '' ||
      this.collectionName.includes('$')
    ) {
      throw new ValidationError('collection', 'must be a non-empty collection name without $');
    }
    this.processEveryMs = positiveInteger(options.processEveryMs, DEFAULT_PROCESS_EVERY_MS, 'processEveryMs');
    this.lockLifetimeMs = positiveInteger(options.lockLifetimeMs, DEFAULT_LOCK_LIFETIME_MS, 'lockLifetimeMs');
    this.connectTimeoutMs = positiveInteger(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    if (this.lockLifetimeMs < 2 * this.processEveryMs) {
      // Jobs are locked up to one poll ahead of their runAt; the lock must outlive that wait.
      throw new ValidationError('lockLifetimeMs', `must be at least twice processEveryMs (${this.processEveryMs})`);
    }
    if (options.db !== undefined) {
      this.endpoint = endpointOfDb(options.db);
    } else if (typeof options.mongoUrl === 'string' && /^mongodb(\+srv)?:\/\//.test(options.mongoUrl)) {
      this.endpoint = mongoEndpointOf(options.mongoUrl);
    } else {
      throw new ValidationError('mongoUrl', 'give a mongodb:// or mongodb+srv:// connection string, or a db');
    }
    const trimmer = new FinishedDocumentTrimmer(
      () => this.store.jobs,
      (error) => this.reportError(this.translateError(error)),
    );
    this.worker = new AgendaWorker(
      this.attemptHost(),
      { lockLifetimeMs: this.lockLifetimeMs, workerName: this.workerName },
      trimmer,
    );
  }

  // --- connection ----------------------------------------------------------------

  protected async _connect(): Promise<void> {
    const store = await AgendaStore.open({
      providerName: this.name,
      mongoUrl: this.options.mongoUrl,
      db: this.options.db,
      collectionName: this.collectionName,
      connectTimeoutMs: this.connectTimeoutMs,
      endpoint: this.endpoint,
      logger: this.logger,
      redact: (text) => this.redact(text),
      reportError: (error) => this.reportError(error),
      isClosing: () => this.isClosing,
    });
    const agenda = new Agenda({
      backend: store.backend,
      name: this.workerName,
      processEvery: this.processEveryMs,
      defaultLockLifetime: this.lockLifetimeMs,
      maxConcurrency: AGENDA_MAX_CONCURRENCY,
      notificationChannel: this.worker.wakeUps.channel,
    });
    this.worker.attach(agenda);
    await agenda.ready;
    this.connected = { store, agenda };
    this.logger.info('provider connected', { provider: this.name, host: this.endpoint.host, port: this.endpoint.port });
  }

  private get store(): AgendaStore {
    if (this.connected === undefined) throw new Error('connect() first');
    return this.connected.store;
  }

  protected async _ping(): Promise<void> {
    await this.store.ping();
  }

  protected override translateError(error: unknown): Error {
    return translateMongoError(error, {
      providerName: this.name,
      endpoint: this.endpoint,
      redact: (text) => this.redact(text),
      isClosing: () => this.isClosing,
    });
  }

  // --- scheduling and queries ------------------------------------------------------

  protected async _schedule(schedule: ValidatedSchedule): Promise<string> {
    const { jobs, pauses } = this.store;
    const now = new Date();
    const id = schedule.jobId ?? randomUUID();
    // Inserted as paused or not by flags read at most SNAPSHOT_LEASE_MS ago, so that no
    // worker anywhere can claim a job of a name paused before this call began (pause()
    // outlasts the lease, see `pause-flags.ts`; a flag remembered for longer could be
    // stale, and a worker may claim in the moment before a second look). Then checked
    // against a read sent after the insert: whatever order this and a concurrent pause()
    // or resume() run in, the job ends up as the flag says (pause() writes its flag before
    // it disables the jobs). That read renews the lease, so a producer's next call makes
    // two round trips; concurrent producers share both reads.
    const [held, pausedBefore] = await Promise.all([
      schedule.jobId === undefined ? false : plainJobs.holds(jobs, schedule.jobId),
      pauses.leasedSnapshot(),
    ]);
    if (held) return id;
    const pausedAtInsert = pausedBefore(schedule.name);
    const document = newJobDocument(schedule, id, now, pausedAtInsert);
    try {
      await jobs.insertOne(document as AgendaJobDocument);
    } catch (error) {
      if (isDuplicateKeyError(error)) return id; // idempotent: that id exists (under any name)
      throw error;
    }
    const paused = (await pauses.sharedSnapshot())(schedule.name);
    if (paused !== pausedAtInsert)
      await jobs.updateOne({ jobId: id, disabled: pausedAtInsert }, { $set: { disabled: paused } });
    this.logger.debug('job scheduled', { provider: this.name, jobName: schedule.name, jobId: id });
    if (!paused) this.worker.wakeUp(schedule.name, document.nextRunAt ?? now);
    return id;
  }

  protected async _cancel(jobId: string): Promise<boolean> {
    const { jobs } = this.store;
    const removed = await jobs.deleteOne({ jobId, phase: { $ne: 'active' } });
    if (removed.deletedCount === 1) return true;
    // A running occurrence of a repeating job finishes; the handler then removes the job.
    const marked = await jobs.updateOne(
      { jobId, phase: 'active', repeat: { $ne: null }, cancelled: { $ne: true } },
      { $set: { cancelled: true } },
    );
    return marked.modifiedCount === 1 || plainJobs.cancel(jobs, jobId);
  }

  protected async _getJob(jobId: string): Promise<JobInfo | null> {
    const { jobs } = this.store;
    const doc = (await jobs.findOne({ jobId })) ?? (await plainJobs.find(jobs, jobId));
    return doc === null ? null : toJobInfo(doc, new Date());
  }

  protected async _listJobs({ names, states, limit, offset }: NormalizedListQuery): Promise<JobInfo[]> {
    const now = new Date();
    const docs = await this.store.jobs
      .find(listingFilter(names, states, now))
      .sort(LISTING_ORDER)
      .skip(offset)
      .limit(limit)
      .toArray();
    return docs.map((doc) => toJobInfo(doc, now));
  }

  protected async _retry(jobId: string): Promise<boolean> {
    const now = new Date();
    const { jobs } = this.store;
    const retried =
      (await jobs.findOneAndUpdate(
        { jobId, phase: 'failed' },
        { $set: retriedJobFields(now) },
        { returnDocument: 'after' },
      )) ?? (await plainJobs.retry(jobs, jobId, now));
    if (retried === null) return false;
    this.worker.wakeUp(retried.name, now);
    return true;
  }

  // --- processing ------------------------------------------------------------------

  protected async _start(): Promise<void> {
    const { agenda, store } = this.connected!;
    this.worker.defineRegistered(agenda, store);
    await agenda.start();
  }

  protected async _startName(name: string): Promise<void> {
    const { agenda, store } = this.connected!;
    this.worker.defineRegistered(agenda, store);
    this.worker.wakeUp(name, new Date());
  }

  protected async _setPaused(name: string | undefined, paused: boolean): Promise<void> {
    const { jobs, pauses } = this.store;
    // Flag first: a job scheduled meanwhile reads it after its insert and follows it.
    await pauses.set(name, paused);
    const disabling = jobs.updateMany(name === undefined ? {} : { name }, { $set: { disabled: paused } });
    if (paused) {
      // Until the lease of every snapshot read before the flag has run out, a producer may
      // still insert a job as claimable (then disabled by its read after the insert); once
      // pause() returns, none can (see `pause-flags.ts`).
      await Promise.all([disabling, delay(PAUSE_SETTLES_AFTER_MS)]);
      return;
    }
    await disabling;
    for (const processorName of this.registrations().keys()) {
      if (name === undefined || name === processorName) this.worker.wakeUp(processorName, new Date());
    }
  }

  // --- stats, cleaning, export and import -------------------------------------------

  protected async _getStats(name: string | undefined): Promise<JobStats> {
    const { jobs, pauses } = this.store;
    const now = new Date();
    const byName = name === undefined ? {} : { name };
    const [counts, paused] = await Promise.all([
      Promise.all(JOB_STATES.map((state) => jobs.countDocuments({ ...byName, ...stateFilter(state, now) }))),
      name === undefined ? pauses.isPausedEverywhere() : pauses.isPaused(name),
    ]);
    const stats: JobStats = { ...emptyJobCounts(), paused };
    JOB_STATES.forEach((state, index) => (stats[state] = counts[index] ?? 0));
    return stats;
  }

  protected async _clean({ states, olderThanMs }: CleanOptions): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    return (await this.store.jobs.deleteMany(finishedBefore(states, cutoff))).deletedCount;
  }

  protected async *_exportJobs({
    names,
    states,
  }: {
    names: string[] | null;
    states: JobState[];
  }): AsyncIterable<JobSnapshot> {
    const now = new Date();
    // A cursor: MongoDB hands the documents over in batches; never all of them in memory.
    const cursor = this.store.jobs
      .find(listingFilter(names, states, now))
      .sort(LISTING_ORDER)
      .batchSize(EXPORT_BATCH_SIZE);
    try {
      for await (const doc of cursor) {
        yield toJobSnapshot(toJobInfo(doc, now), {
          removeOnComplete: retentionOfDocument(doc, 'completed'),
          removeOnFail: retentionOfDocument(doc, 'failed'),
        });
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  protected override get importBatchSize(): number {
    return IMPORT_BATCH_SIZE;
  }

  protected async _importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport> {
    const { jobs, pauses } = this.store;
    const isPaused = await pauses.snapshot();
    const now = new Date();
    const documents = snapshots.map((snapshot) => documentFromSnapshot(snapshot, now, isPaused(snapshot.name)));
    const report = await writeImportBatch(jobs, documents, onExisting);
    for (const name of new Set(documents.map((document) => document.name))) this.worker.wakeUp(name, new Date());
    return report;
  }

  // --- closing -----------------------------------------------------------------------

  protected async _stopFetching(): Promise<void> {
    if (this.started) this.worker.stopFetching(this.connected!.agenda);
  }

  protected async _disconnect(): Promise<void> {
    await this.worker.windDown(this.store);
    await this.store.close();
  }
}
