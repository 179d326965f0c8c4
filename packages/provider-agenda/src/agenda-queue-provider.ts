import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { Agenda, type Job } from 'agenda';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  JOB_STATES,
  ProviderClosedError,
  ProviderUnavailableError,
  SwitchyardError,
  ValidationError,
  assertJsonData,
  emptyImportReport,
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
  validateSnapshot,
  type CleanOptions,
  type CloseOptions,
  type CommonProviderOptions,
  type Endpoint,
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
  ProviderEventEmitter,
  type AttemptControl,
  toError,
  validateOnExisting,
} from '@switchyard/core';
import type { AgendaJobDocument, NewAgendaJobDocument } from './agenda-job-document.js';
import { AgendaStateSaves } from './agenda-state-saves.js';
import { NOTHING_RAN, type AttemptOutcome } from './attempt-outcome.js';
import { isClientClosedError, isDuplicateKeyError, isUnreachableError } from './connectivity-errors.js';
import { writeImportBatch } from './import-batch.js';
import { runJobAttempt } from './job-attempt.js';
import { ensureJobIndexes } from './job-indexes.js';
import { jobsFilter, stateFilter, toJobInfo } from './job-state-mapping.js';
import { endpointOfDb, mongoEndpointOf } from './mongo-endpoint.js';
import { documentFromSnapshot, newJobDocument } from './new-job-document.js';
import { NameWakeUps } from './name-wake-ups.js';
import { PauseFlags } from './pause-flags.js';
import { SharedDbAgendaBackend } from './shared-db-agenda-backend.js';
import { StuckMonitorWatchdog } from './stuck-monitor-watchdog.js';

/** Settings of the Agenda provider besides how to reach MongoDB. */
export interface AgendaSettings {
  /** The jobs collection; default 'agenda_jobs'. Pause flags live in `<collection>_paused`. */
  collection?: string;
  /** How often each worker polls MongoDB for due jobs; default 5000. See the class comment for what it means for `runAt`. */
  processEveryMs?: number;
  /** How long a worker's lock on a running job lasts without renewal; default 60 000. A crashed worker's job runs again after it. */
  lockLifetimeMs?: number;
  /** How long connect() (and any call while MongoDB is down) may wait for a server; default 5000. */
  connectTimeoutMs?: number;
}

/** Either a connection string (the provider opens and closes the client) or a `Db` the service already holds (left open). */
export type AgendaConnection = { mongoUrl: string; db?: undefined } | { db: Db; mongoUrl?: undefined };

export type AgendaQueueProviderOptions = CommonProviderOptions & AgendaSettings & AgendaConnection;

export const DEFAULT_AGENDA_COLLECTION = 'agenda_jobs';
export const DEFAULT_PROCESS_EVERY_MS = 5000;
export const DEFAULT_LOCK_LIFETIME_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After close() aborts the jobs still running, how long their handlers get to write the hand-back. */
const ABORT_GRACE_MS = 1000;
/** A polling heartbeat still under way after this many connect timeouts has hung (see `StuckMonitorWatchdog`). */
const STUCK_HEARTBEAT_FACTOR = 3;
/** Upper bound for each MongoDB call close() makes, so that close() never hangs on a dead server. */
const CLOSE_STEP_TIMEOUT_MS = 2000;
/** Jobs per bulk write on import: bounded memory for streams of any length. */
const IMPORT_BATCH_SIZE = 500;
/** Documents per cursor batch on export. */
const EXPORT_BATCH_SIZE = 200;
/** Agenda's process-wide cap on running jobs; the per-name concurrency is the limit that matters. */
const AGENDA_MAX_CONCURRENCY = 10_000;

/** A job Agenda has handed to our handler, from the handler's start to Agenda's 'complete'. */
interface ActiveRun {
  control?: AttemptControl;
  outcome: AttemptOutcome;
  finished: Promise<void>;
  finish(): void;
}

/**
 * `QueueProvider` on Agenda 6 and MongoDB (`@agendajs/mongo-backend`, mongodb driver 7).
 *
 * How the contract maps onto Agenda (the job's life is drawn in `job-state-mapping.ts`):
 * - one job name = one Agenda definition; its concurrency is also its lock limit, so
 *   a worker never holds more jobs of a name than it can run, and the next job is
 *   picked from MongoDB by priority when a slot frees (see `LOCK_ORDER`);
 * - `jobId` is a field with a unique index: two producers cannot double a job, and
 *   ids are unique across names; Agenda keeps its ObjectId `_id`;
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
export class AgendaQueueProvider extends ProviderEventEmitter implements QueueProvider {
  readonly name = 'agenda';

  protected readonly logger: Logger;
  private readonly collectionName: string;
  private readonly processEveryMs: number;
  private readonly lockLifetimeMs: number;
  private readonly connectTimeoutMs: number;
  private readonly endpoint: Endpoint;
  /** Agenda's instance name: shows in `lastModifiedBy`, and tells our locks from other workers'. */
  private readonly workerName = `switchyard-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly processors = new Map<string, { processor: JobProcessor; concurrency: number }>();
  private readonly runs = new Map<Job, ActiveRun>();
  /** The pause flag of each name as last read here: only a first guess for new jobs (see scheduleJob). */
  private readonly lastSeenPaused = new Map<string, boolean>();
  private everyNamePausedGuess = false;

  private client: MongoClient | undefined;
  /** Watches the client the provider opened (see `StuckMonitorWatchdog`); a caller's client is the caller's. */
  private watchdog: StuckMonitorWatchdog | undefined;
  private reconnecting: Promise<void> | undefined;
  private db: Db | undefined;
  private jobs: Collection<AgendaJobDocument> | undefined;
  private saves: AgendaStateSaves | undefined;
  private pauses: PauseFlags | undefined;
  private agenda: Agenda | undefined;
  /** Wakes this worker's Agenda when a job becomes due here, instead of waiting for its poll. */
  private readonly wakeUps = new NameWakeUps((error) =>
    this.logger.debug('wake-up failed', { provider: this.name, error: toError(error).message }),
  );
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  private started = false;

  constructor(private readonly options: AgendaQueueProviderOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.collectionName = options.collection ?? DEFAULT_AGENDA_COLLECTION;
    if (typeof this.collectionName !== 'string' || this.collectionName.trim() === '' || this.collectionName.includes('$')) {
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
  }

  // --- connection ----------------------------------------------------------------

  async connect(): Promise<void> {
    this.assertOpen();
    this.connecting ??= this.openConnection().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    let client: MongoClient | undefined;
    const attempt = (async () => {
      let db: Db;
      if (this.options.db !== undefined) {
        db = this.options.db;
      } else {
        client = new MongoClient(this.options.mongoUrl, {
          serverSelectionTimeoutMS: this.connectTimeoutMs,
          connectTimeoutMS: this.connectTimeoutMs,
          appName: 'switchyard-agenda',
          // The driver's default is `{}`, and the BSON reader looks each key up in it: a data key
          // named `__proto__` then finds Object.prototype and comes back as raw bytes (an array of
          // objects under it reads as Buffers). With no prototype, no key is mistaken for a raw field.
          fieldsAsRaw: Object.create(null) as Record<string, boolean>,
        });
        await client.connect();
        db = client.db();
      }
      await db.command({ ping: 1 });
      const jobs = db.collection<AgendaJobDocument>(this.collectionName);
      await ensureJobIndexes(jobs);
      const saves = new AgendaStateSaves(jobs);
      const backend = new SharedDbAgendaBackend(db, this.collectionName, saves, (error) => this.reportError(this.translate(error)));
      // Connected here so that Agenda's own connect (in its constructor, unguarded) has nothing left that can fail.
      await backend.connect();
      return { db, jobs, saves, backend };
    })();
    try {
      const { db, jobs, saves, backend } = await withDeadline(attempt, this.connectTimeoutMs + 2000, 'connecting timed out');
      this.client = client;
      if (client !== undefined) {
        const owned = client;
        this.watchdog = new StuckMonitorWatchdog(owned, STUCK_HEARTBEAT_FACTOR * this.connectTimeoutMs, () => this.reconnect(owned));
      }
      this.db = db;
      this.jobs = jobs;
      this.saves = saves;
      this.pauses = new PauseFlags(db, this.collectionName);
      this.agenda = this.createAgenda(backend);
      await this.agenda.ready;
      this.logger.info('provider connected', { provider: this.name, host: this.endpoint.host, port: this.endpoint.port });
    } catch (error) {
      // A late success of the abandoned attempt must not leave a client open.
      void attempt.finally(() => client?.close().catch(() => undefined)).catch(() => undefined);
      throw this.unavailable(error);
    }
  }

  private createAgenda(backend: SharedDbAgendaBackend): Agenda {
    const agenda = new Agenda({
      backend,
      name: this.workerName,
      processEvery: this.processEveryMs,
      defaultLockLifetime: this.lockLifetimeMs,
      maxConcurrency: AGENDA_MAX_CONCURRENCY,
      notificationChannel: this.wakeUps.channel,
    });
    agenda.on('complete', (job: Job) => this.onAgendaComplete(job));
    agenda.on('error', (error: Error) => this.onAgendaError(error));
    for (const name of this.processors.keys()) this.define(agenda, name);
    return agenda;
  }

  // --- scheduling and queries ------------------------------------------------------

  async scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string> {
    this.assertOpen();
    const now = new Date();
    const schedule = validateSchedule(name, data, options, this.options, now);
    const { jobs, pauses } = this.connection();
    const id = schedule.jobId ?? randomUUID();
    return this.call(async () => {
      // Inserted as paused or not by the last flag seen here, then checked against the flag
      // in MongoDB: whatever order this and a concurrent pause() or resume() run in, the job
      // ends up as the flag says (pause() writes its flag before it disables the jobs).
      const guess = this.lastSeenPaused.get(schedule.name) ?? this.everyNamePausedGuess;
      const document = newJobDocument(schedule, id, now, guess);
      try {
        await jobs.insertOne(document as AgendaJobDocument);
      } catch (error) {
        if (isDuplicateKeyError(error)) return id; // idempotent: that id exists (under any name)
        throw error;
      }
      const paused = (await pauses.sharedSnapshot())(schedule.name);
      this.lastSeenPaused.set(schedule.name, paused);
      if (paused !== guess) await jobs.updateOne({ jobId: id, disabled: guess }, { $set: { disabled: paused } });
      this.logger.debug('job scheduled', { provider: this.name, jobName: schedule.name, jobId: id });
      if (!paused) this.wakeUp(schedule.name, document.nextRunAt ?? now);
      return id;
    });
  }

  async cancelJob(jobId: string): Promise<boolean> {
    if (typeof jobId !== 'string') return false;
    const { jobs } = this.connection();
    return this.call(async () => {
      const removed = await jobs.deleteOne({ jobId, phase: { $ne: 'active' } });
      if (removed.deletedCount === 1) return true;
      // A running occurrence of a repeating job finishes; the handler then removes the job.
      const marked = await jobs.updateOne(
        { jobId, phase: 'active', repeat: { $ne: null }, cancelled: { $ne: true } },
        { $set: { cancelled: true } },
      );
      return marked.modifiedCount === 1;
    });
  }

  async getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null> {
    if (typeof jobId !== 'string') return null;
    const { jobs } = this.connection();
    const doc = await this.call(() => jobs.findOne({ jobId }));
    return doc === null ? null : toJobInfo<T>(doc, new Date());
  }

  async listJobs(query?: ListJobsQuery): Promise<JobInfo[]> {
    const { names, states, limit, offset } = normalizeListQuery(query);
    const { jobs } = this.connection();
    const now = new Date();
    const docs = await this.call(() =>
      jobs.find(this.filterFor(names, states, now)).sort({ createdAt: 1, jobId: 1 }).skip(offset).limit(limit).toArray(),
    );
    return docs.map((doc) => toJobInfo(doc, now));
  }

  async retryJob(jobId: string): Promise<boolean> {
    this.assertOpen();
    if (typeof jobId !== 'string') return false;
    const { jobs } = this.connection();
    const now = new Date();
    const retried = await this.call(() =>
      jobs.findOneAndUpdate(
        { jobId, phase: 'failed' },
        { $set: { phase: 'pending', nextRunAt: now, attemptsMade: 0, progress: null, finishedAt: null, failedReason: null } },
        { returnDocument: 'after' },
      ),
    );
    if (retried === null) return false;
    this.wakeUp(retried.name, now);
    return true;
  }

  // --- processing ------------------------------------------------------------------

  registerProcessor(processor: JobProcessor, options: RegisterOptions = {}): void {
    const name = validateJobName(processor?.name, 'processor.name');
    const concurrency = validateConcurrency(options.concurrency);
    this.processors.set(name, { processor, concurrency });
    if (this.agenda !== undefined) this.define(this.agenda, name);
    this.wakeUp(name, new Date());
  }

  async start(): Promise<void> {
    this.assertOpen();
    const agenda = this.agenda;
    if (agenda === undefined) throw new SwitchyardError('call connect() before start()', 'NOT_CONNECTED');
    if (this.started) return;
    this.started = true;
    await agenda.start();
    this.logger.info('provider started', { provider: this.name, names: [...this.processors.keys()] });
  }

  async pause(name?: string): Promise<void> {
    await this.setPaused(name, true);
  }

  async resume(name?: string): Promise<void> {
    await this.setPaused(name, false);
    for (const processorName of this.processors.keys()) {
      if (name === undefined || name === processorName) this.wakeUp(processorName, new Date());
    }
  }

  private async setPaused(name: string | undefined, paused: boolean): Promise<void> {
    if (name !== undefined) validateJobName(name);
    const { jobs, pauses } = this.connection();
    await this.call(async () => {
      // Flag first: a job scheduled meanwhile reads it after its insert and follows it.
      await pauses.set(name, paused);
      if (name === undefined) {
        this.lastSeenPaused.clear();
        this.everyNamePausedGuess = paused;
      } else this.lastSeenPaused.set(name, paused);
      await jobs.updateMany(name === undefined ? {} : { name }, { $set: { disabled: paused } });
    });
  }

  private define(agenda: Agenda, name: string): void {
    const { concurrency } = this.processors.get(name)!;
    // lockLimit = concurrency: a worker holds no job it cannot start, so the next one is
    // chosen in MongoDB (by priority) when a slot frees, not from a local backlog.
    agenda.define(name, (job: Job) => this.handle(job), { concurrency, lockLimit: concurrency, lockLifetime: this.lockLifetimeMs });
  }

  /**
   * Agenda's handler for every name: one attempt, claimed by Agenda's start save and
   * recorded by its end save (`AgendaStateSaves`); its event is emitted on Agenda's 'complete'.
   */
  private async handle(agendaJob: Job): Promise<void> {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const run: ActiveRun = { outcome: NOTHING_RAN, finished, finish };
    this.runs.set(agendaJob, run);
    const registered = this.processors.get(agendaJob.attrs.name);
    const claim = this.saves?.claimOf(agendaJob.attrs);
    if (registered === undefined || this.jobs === undefined || this.saves === undefined || claim === undefined) {
      agendaJob.attrs.nextRunAt = new Date();
      return;
    }
    const attempt = await runJobAttempt(agendaJob, claim, {
      providerName: this.name,
      jobs: this.jobs,
      processor: registered.processor,
      logger: this.logger,
      heartbeatMs: Math.max(1, Math.floor(this.lockLifetimeMs / 3)),
      isClosing: () => this.closing !== undefined,
      onStart: (control) => (run.control = control),
      onStalled: (jobId, name) => {
        this.logger.warn('job stalled: its worker stopped mid-attempt; running it again', { provider: this.name, jobName: name, jobId });
        this.emitSafely('stalled', jobId, name);
      },
    });
    const record = attempt.record;
    if (record !== undefined) {
      this.saves.endWith(agendaJob.attrs, async (fields) => {
        try {
          run.outcome = await record(fields);
        } catch (error) {
          // MongoDB failed us: the job keeps its lock and phase, and runs again once the lock expires.
          this.reportError(this.translate(error));
          throw error;
        }
      });
    }
    // Thrown so that Agenda records the failure in its own fields (failCount, failReason) too.
    if (attempt.outcome.kind === 'retrying' || attempt.outcome.kind === 'failed') throw attempt.outcome.error;
  }

  /** Agenda has saved the job and let go of it: now the outcome is true in MongoDB, so tell listeners. */
  private onAgendaComplete(agendaJob: Job): void {
    const run = this.runs.get(agendaJob);
    if (run === undefined) return;
    this.runs.delete(agendaJob);
    const outcome = run.outcome;
    const meta = { provider: this.name, jobName: agendaJob.attrs.name };
    if (outcome.kind === 'completed') {
      this.logger.debug('job completed', { ...meta, jobId: outcome.job.id });
      this.emitSafely('completed', outcome.job, outcome.result);
    } else if (outcome.kind === 'retrying') {
      this.logger.info('job attempt failed, retrying', {
        ...meta, jobId: outcome.job.id, attempt: outcome.job.attemptsMade, delayMs: outcome.delayMs, error: outcome.error.message,
      });
      this.emitSafely('retrying', outcome.job, outcome.error, outcome.delayMs);
    } else if (outcome.kind === 'failed') {
      this.logger.warn('job failed', { ...meta, jobId: outcome.job.id, error: outcome.error.message });
      this.emitSafely('failed', outcome.job, outcome.error);
    }
    run.finish();
    // A slot of this name is free (Agenda has counted it free by the next turn): take the next job now.
    setImmediate(() => this.wakeUp(agendaJob.attrs.name, new Date()));
  }

  private onAgendaError(error: Error): void {
    // Agenda reports a job it had locked and that was cancelled before it ran: that is the cancel working.
    if (/cannot be updated in the database, maybe it does not exist anymore/.test(error.message)) {
      this.logger.debug('a locked job was removed before it started', { provider: this.name, error: error.message });
      return;
    }
    this.reportError(this.translate(error));
  }

  /**
   * Tells this worker's Agenda that a job of `name` is due at `dueAt`: it locks it now
   * if due before its next poll (Agenda ignores later ones). Only within this process;
   * other workers find the job on their next poll.
   */
  private wakeUp(name: string, dueAt: Date): void {
    if (!this.started || this.closing !== undefined || !this.processors.has(name)) return;
    this.wakeUps.wake(name, dueAt);
  }

  // --- stats, health, cleaning -----------------------------------------------------

  async getStats(name?: string): Promise<JobStats> {
    const { jobs, pauses } = this.connection();
    const now = new Date();
    const byName = name === undefined ? {} : { name };
    const [counts, paused] = await this.call(() =>
      Promise.all([
        Promise.all(JOB_STATES.map((state) => jobs.countDocuments({ ...byName, ...stateFilter(state, now) }))),
        name === undefined ? pauses.isPausedEverywhere() : pauses.isPaused(name),
      ]),
    );
    const stats: JobStats = { ...emptyJobCounts(), paused };
    JOB_STATES.forEach((state, index) => (stats[state] = counts[index] ?? 0));
    return stats;
  }

  async checkHealth(): Promise<HealthStatus> {
    const startedAt = Date.now();
    if (this.closed || this.closing !== undefined) {
      return { healthy: false, provider: this.name, latencyMs: 0, error: 'provider is closed' };
    }
    if (this.db === undefined) return { healthy: false, provider: this.name, latencyMs: 0, error: 'not connected' };
    try {
      await this.db.command({ ping: 1 });
      return { healthy: true, provider: this.name, latencyMs: Date.now() - startedAt };
    } catch (error) {
      return { healthy: false, provider: this.name, latencyMs: Date.now() - startedAt, error: this.translate(error).message };
    }
  }

  async clean(options: CleanOptions): Promise<number> {
    const { states, olderThanMs } = validateCleanOptions(options);
    const { jobs } = this.connection();
    const cutoff = new Date(Date.now() - olderThanMs);
    const removed = await this.call(() => jobs.deleteMany({ phase: { $in: states }, finishedAt: { $lte: cutoff } }));
    return removed.deletedCount;
  }

  // --- export and import -----------------------------------------------------------

  async *exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot> {
    const { names, states } = normalizeExportQuery(query);
    const { jobs } = this.connection();
    const now = new Date();
    // A cursor: MongoDB hands the documents over in batches; never all of them in memory.
    const cursor = jobs.find(this.filterFor(names, states, now)).sort({ createdAt: 1, jobId: 1 }).batchSize(EXPORT_BATCH_SIZE);
    try {
      for await (const doc of cursor) {
        yield toJobSnapshot(toJobInfo(doc, now), { removeOnComplete: doc.removeOnComplete === true });
      }
    } catch (error) {
      throw this.translate(error);
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  async importJobs(
    snapshots: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    this.assertOpen();
    const onExisting = validateOnExisting(options);
    const { jobs, pauses } = this.connection();
    const report = emptyImportReport();
    const names = new Set<string>();
    let batch: { snapshot: JobSnapshot; document?: NewAgendaJobDocument }[] = [];
    const flush = async (): Promise<void> => {
      const current = batch;
      batch = [];
      if (current.length === 0) return;
      const isPaused = await this.call(() => pauses.snapshot());
      const now = new Date();
      const documents = current.map(({ snapshot }) => documentFromSnapshot(snapshot, now, isPaused(snapshot.name)));
      const written = await this.call(() => writeImportBatch(jobs, documents, onExisting));
      report.imported.push(...written.imported);
      report.skipped.push(...written.skipped);
      report.replaced.push(...written.replaced);
      report.errors.push(...written.errors);
      for (const document of documents) names.add(document.name);
    };
    for await (const candidate of snapshots) {
      const id = typeof (candidate as { id?: unknown })?.id === 'string' ? (candidate as { id: string }).id : '(no id)';
      try {
        const snapshot = validateSnapshot(candidate);
        assertJsonData(snapshot.data, this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
        if (snapshot.state === 'active') throw new Error('an active job is running elsewhere and cannot be imported');
        batch.push({ snapshot });
      } catch (error) {
        report.errors.push({ id, reason: toError(error).message });
        continue;
      }
      if (batch.length >= IMPORT_BATCH_SIZE) await flush();
    }
    await flush();
    for (const name of names) this.wakeUp(name, new Date());
    return report;
  }


  // --- shutdown ----------------------------------------------------------------------

  async close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutDown(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.closing;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const agenda = this.agenda;
    if (agenda !== undefined && this.started) {
      try {
        // Stops polling at once; resolves when the running jobs have finished, or at the timeout.
        await agenda.drain({ timeout: timeoutMs });
        if (this.runs.size > 0) {
          this.logger.warn('close timed out: aborting active jobs', { provider: this.name, active: this.runs.size });
          for (const run of this.runs.values()) run.control?.abort(new ProviderClosedError(this.name));
          // Processors that ignore their signal cannot be waited for; their handlers can.
          await withDeadline(Promise.all([...this.runs.values()].map((run) => run.finished)), ABORT_GRACE_MS, 'aborted jobs');
        }
      } catch (error) {
        this.logger.warn('close: stopping Agenda failed', { provider: this.name, error: this.redact(toError(error).message) });
      }
      await this.releaseLocalLocks();
    }
    this.watchdog?.stop();
    if (this.client !== undefined) {
      await withDeadline(this.client.close(), CLOSE_STEP_TIMEOUT_MS, 'closing the MongoDB client').catch((error: unknown) => {
        this.logger.warn('close: closing the MongoDB client failed', { provider: this.name, error: this.redact(toError(error).message) });
      });
    }
    this.closed = true;
    this.logger.info('provider closed', { provider: this.name });
  }

  /**
   * Agenda's drain() keeps the locks of jobs it had locked ahead of their runAt but not
   * started; without this they would wait out lockLifetimeMs before another worker
   * could run them. (Agenda's stop() does the same, but does not wait for running jobs.)
   */
  private async releaseLocalLocks(): Promise<void> {
    if (this.jobs === undefined || this.processors.size === 0) return;
    const release = this.jobs.updateMany(
      { name: { $in: [...this.processors.keys()] }, phase: 'pending', lockedAt: { $ne: null }, lastModifiedBy: this.workerName },
      { $set: { lockedAt: null } },
    );
    await withDeadline(release, CLOSE_STEP_TIMEOUT_MS, 'releasing locks').catch((error: unknown) => {
      this.logger.warn('close: could not release locked jobs; they run after their lock expires', {
        provider: this.name, error: this.redact(toError(error).message),
      });
    });
  }

  // --- plumbing ------------------------------------------------------------------------

  /**
   * The client's monitor hung (see `StuckMonitorWatchdog`): closed and connected again,
   * which starts a fresh one; its Db and collections stay valid. Calls fail as
   * unavailable meanwhile, as they did while it hung. Tries until connected or closing.
   */
  private reconnect(client: MongoClient): void {
    if (this.reconnecting !== undefined || this.closing !== undefined) return;
    this.logger.warn('MongoDB client stopped checking the server: reconnecting it', { provider: this.name, host: this.endpoint.host, port: this.endpoint.port });
    this.reconnecting = (async () => {
      await client.close().catch(() => undefined);
      while (this.closing === undefined) {
        try {
          await client.connect(); // fails after about connectTimeoutMs while MongoDB is down
          if (this.closing !== undefined) await client.close();
          return;
        } catch (error) {
          this.reportError(this.unavailable(error));
        }
      }
    })().finally(() => (this.reconnecting = undefined));
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new ProviderClosedError(this.name);
  }

  private connection(): { jobs: Collection<AgendaJobDocument>; pauses: PauseFlags } {
    if (this.closed) throw new ProviderClosedError(this.name);
    if (this.jobs === undefined || this.pauses === undefined) {
      throw new SwitchyardError('the agenda provider is not connected: call connect() first', 'NOT_CONNECTED');
    }
    return { jobs: this.jobs, pauses: this.pauses };
  }

  private filterFor(names: string[] | null, states: JobState[], now: Date) {
    // Every state asked for: no need to spell the state rule out.
    const everyState = JOB_STATES.every((state) => states.includes(state));
    return everyState ? (names === null ? {} : { name: { $in: names } }) : jobsFilter(names, states, now);
  }

  /** Runs a MongoDB call, turning "cannot reach MongoDB" into `ProviderUnavailableError`. */
  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): Error {
    if (error instanceof SwitchyardError) return error;
    if (isClientClosedError(error) && (this.closing !== undefined || this.closed)) return new ProviderClosedError(this.name);
    if (isUnreachableError(error) || isClientClosedError(error)) return this.unavailable(error);
    const plain = toError(error);
    const message = this.redact(plain.message);
    if (message === plain.message) return plain;
    const redacted = new Error(message);
    redacted.name = plain.name;
    return redacted;
  }

  private unavailable(error: unknown): ProviderUnavailableError {
    if (error instanceof ProviderUnavailableError) return error;
    const reason = this.redact(toError(error).message);
    return new ProviderUnavailableError(this.name, this.endpoint.host, this.endpoint.port, reason);
  }

  private redact(text: string): string {
    return redactSecrets(text, this.options.mongoUrl);
  }

  /** 'error' only reaches someone who listens: an unhandled 'error' event would crash the process. */
  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) {
      this.emitSafely('error', error);
    } else {
      this.logger.error('agenda provider error', { provider: this.name, error: this.redact(error.message) });
    }
  }

}

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(field, 'must be a whole number of at least 1');
  }
  return value;
}

/** `promise`, or a rejection with `what` once `ms` have passed; the timer never keeps the process alive. */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
