import { validateRetention } from '../retention.js';
import { AttemptControl } from '../attempt-control.js';
import { BackendError, ProviderClosedError, SwitchyardError, ValidationError, toError } from '../errors.js';
import type { JobInfo, JobState } from '../job.js';
import { createJobContext } from '../job-context.js';
import type { JobContext, JobProcessor } from '../job-processor.js';
import type { ImportReport, JobSnapshot } from '../job-snapshot.js';
import type { NormalizedListQuery } from '../list-query.js';
import { silentLogger, type Logger } from '../logger.js';
import type { CommonProviderOptions } from '../provider-options.js';
import { ProviderEventEmitter } from '../provider-event-emitter.js';
import type {
  CleanOptions,
  CloseOptions,
  ExportQuery,
  HealthStatus,
  ImportOptions,
  JobStats,
  ListJobsQuery,
  QueueProvider,
  RegisterOptions,
} from '../queue-provider.js';
import type { ScheduleOptions } from '../schedule-options.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, validateSchedule, type ValidatedSchedule } from '../validate-schedule.js';
import {
  validateCleanArgument,
  validateCloseOptions,
  validateExportJobsQuery,
  validateImportArguments,
  validateListJobsQuery,
  validateLookupId,
  validateOptionalName,
  validateProcessor,
  validateRegisterOptions,
} from './argument-checks.js';
import type { AttemptHost } from './attempt-host.js';
import { withDeadline } from './deadline.js';
import { ErrorReporter } from './error-reporter.js';
import { importInBatches } from './import-pipeline.js';
import type { ProviderStatus } from './provider-status.js';
import { RunningAttempts } from './running-attempts.js';

export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;
/** After `close()` aborted the attempts still running at its timeout, how long they get to end. */
export const ABORT_GRACE_MS = 1000;
/** How long `checkHealth()` waits for the backend's answer. */
export const HEALTH_CHECK_TIMEOUT_MS = 2000;
/** Snapshots per `_importBatch` call, unless a provider says otherwise. */
export const DEFAULT_IMPORT_BATCH_SIZE = 500;

/** A registered processor and its concurrency. */
export interface Registration {
  processor: JobProcessor;
  concurrency: number;
}

/** An attempt the kit runs for a provider: its control (timeout, abort) and the context the processor gets. */
export interface StartedAttempt {
  control: AttemptControl;
  context: JobContext;
}

/**
 * The base every provider extends: the template of abstract-level. Each public method
 * of `QueueProvider` is written here once, and does, in this order:
 *
 * 1. the status guard: while closing or after `close()`, `ProviderClosedError` (see
 *    the table below);
 * 2. every argument checked, `ValidationError` naming it, before any backend call;
 * 3. `connect()` first if the caller has not connected yet (so every method works on a
 *    provider that was only constructed, as the memory provider always has);
 * 4. the provider's storage hook (`_schedule`, `_cancel`, ...), whose errors reach
 *    the caller typed: `SwitchyardError`s as they are, anything else through
 *    `translateError` (by default a `BackendError` with secrets taken out).
 *
 * | method              | new / connecting       | open             | closing / closed                 |
 * |---------------------|------------------------|------------------|----------------------------------|
 * | `connect`           | connects (one attempt at a time; may be called again after a failure) | resolves | `ProviderClosedError` |
 * | storage calls       | connect, then answer   | answer           | `ProviderClosedError`            |
 * | `registerProcessor` | registers              | registers (after `start()`, that name starts processing at once) | `ProviderClosedError` |
 * | `start`             | connect, then start    | starts (again: no-op) | `ProviderClosedError`       |
 * | `checkHealth`       | connects, then pings (never throws) | pings | `{ healthy: false }`           |
 * | `close`             | nothing to close       | the close sequence | the same promise               |
 *
 * The close sequence, the same for every provider: `_stopFetching()` (take no new
 * job), wait for the running attempts (those begun with `beginAttempt`) up to the
 * timeout, abort the signals of those left and give them `ABORT_GRACE_MS`, then
 * `_disconnect()`.
 *
 * What an implementer writes: the `_` hooks below, and the code that takes jobs from
 * its backend and runs them, calling `beginAttempt` / `endAttempt` around each attempt,
 * `decideAfterFailedAttempt` for what follows a failure, and `reportCompleted` /
 * `reportRetrying` / `reportFailed` / `reportStalled` for the log line and event of each
 * outcome; `reportError` for errors that belong to no call.
 *
 * @example
 * ```ts
 * class ArrayQueueProvider extends BaseQueueProvider {
 *   readonly name = 'array';
 *   private readonly jobs = new Map<string, JobInfo>();
 *   protected async _connect() {}
 *   protected async _schedule(schedule: ValidatedSchedule) {
 *     const id = schedule.jobId ?? randomUUID();
 *     if (!this.jobs.has(id)) this.jobs.set(id, toJobInfo(schedule, id));
 *     return id;
 *   }
 *   protected async _getJob(id: string) { return this.jobs.get(id) ?? null; }
 *   // ... the other hooks
 * }
 * ```
 */
export abstract class BaseQueueProvider extends ProviderEventEmitter implements QueueProvider {
  abstract override readonly name: string;
  protected readonly logger: Logger;
  /** The attempts running in this process (see `beginAttempt`). */
  protected readonly attempts = new RunningAttempts<unknown, StartedAttempt>();
  private readonly errorReporter: ErrorReporter;
  private readonly processorsByName = new Map<string, Registration>();
  private currentStatus: ProviderStatus = 'new';
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private startedProcessing = false;

  /** `secretUrls`: connection URLs whose passwords must never appear in an error or a log line. */
  constructor(
    protected readonly commonOptions: CommonProviderOptions,
    secretUrls: readonly (string | undefined)[] = [],
  ) {
    super();
    // Checked here, not at each scheduleJob: a wrong default is the deployment's mistake, not the caller's.
    for (const setting of ['defaultRemoveOnComplete', 'defaultRemoveOnFail'] as const) {
      if (commonOptions[setting] !== undefined) validateRetention(commonOptions[setting], setting);
    }
    this.logger = commonOptions.logger ?? silentLogger;
    this.errorReporter = new ErrorReporter(this, this.logger, secretUrls, () => this.isClosing);
  }

  get status(): ProviderStatus {
    return this.currentStatus;
  }

  /** True from the moment `close()` is called. */
  protected get isClosing(): boolean {
    return this.currentStatus === 'closing' || this.currentStatus === 'closed';
  }

  /** True once `start()` has been called. */
  protected get started(): boolean {
    return this.startedProcessing;
  }

  // --- the hooks a provider writes --------------------------------------------------

  /** Opens the backend; rejects with `ProviderUnavailableError` (host and port, never a password) within a bounded time. */
  protected abstract _connect(): Promise<void>;
  /** Stores a validated job unless its `jobId` exists (then a no-op); the id. */
  protected abstract _schedule(schedule: ValidatedSchedule): Promise<string>;
  protected abstract _cancel(jobId: string): Promise<boolean>;
  protected abstract _getJob(jobId: string): Promise<JobInfo | null>;
  protected abstract _listJobs(query: NormalizedListQuery): Promise<JobInfo[]>;
  protected abstract _retry(jobId: string): Promise<boolean>;
  /** Starts taking jobs of every registered name (`registrations()`); called once, by `start()`. */
  protected abstract _start(): Promise<void>;
  /** Starts taking jobs of a name registered after `start()`. */
  protected abstract _startName(name: string): Promise<void>;
  protected abstract _setPaused(name: string | undefined, paused: boolean): Promise<void>;
  protected abstract _getStats(name: string | undefined): Promise<JobStats>;
  /** Resolves when the backend answers; the health check's probe. */
  protected abstract _ping(): Promise<void>;
  protected abstract _clean(options: CleanOptions): Promise<number>;
  protected abstract _exportJobs(query: { names: string[] | null; states: JobState[] }): AsyncIterable<JobSnapshot>;
  /** Stores one batch of checked snapshots (see `importInBatches`). */
  protected abstract _importBatch(snapshots: JobSnapshot[], onExisting: 'skip' | 'replace'): Promise<ImportReport>;
  /** The first step of closing: take no new job; running attempts go on. Only called when connected. */
  protected abstract _stopFetching(): Promise<void>;
  /** The last step of closing: end every connection, whatever state the backend is in. Only called when connected. */
  protected abstract _disconnect(): Promise<void>;

  /** Snapshots per `_importBatch` call. */
  protected get importBatchSize(): number {
    return DEFAULT_IMPORT_BATCH_SIZE;
  }

  /** A backend's error as the caller gets it; the default wraps it in `BackendError`. */
  protected translateError(error: unknown): Error {
    if (error instanceof SwitchyardError) return error;
    return new BackendError(this.name, this.redact(toError(error).message), { cause: error });
  }

  // --- the public methods -------------------------------------------------------------

  async connect(): Promise<void> {
    this.assertNotClosing();
    if (this.currentStatus === 'open') return;
    this.connecting ??= (async () => {
      this.currentStatus = 'connecting';
      try {
        await this._connect();
        // close() may have begun while connecting: it waits for this and then disconnects.
        if (!this.isClosing) this.currentStatus = 'open';
      } catch (error) {
        if (!this.isClosing) this.currentStatus = 'new';
        this.connecting = undefined;
        throw this.asCallError(error);
      }
    })();
    return this.connecting;
  }

  async scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string> {
    this.assertNotClosing();
    const schedule = validateSchedule(name, data, options, this.commonOptions, new Date());
    return this.backendCall(() => this._schedule(schedule));
  }

  async cancelJob(jobId: string): Promise<boolean> {
    this.assertNotClosing();
    const id = validateLookupId(jobId);
    return this.backendCall(() => this._cancel(id));
  }

  async getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null> {
    this.assertNotClosing();
    const id = validateLookupId(jobId);
    return (await this.backendCall(() => this._getJob(id))) as JobInfo<T> | null;
  }

  async listJobs(query?: ListJobsQuery): Promise<JobInfo[]> {
    this.assertNotClosing();
    const normalized = validateListJobsQuery(query);
    return this.backendCall(() => this._listJobs(normalized));
  }

  async retryJob(jobId: string): Promise<boolean> {
    this.assertNotClosing();
    const id = validateLookupId(jobId);
    return this.backendCall(() => this._retry(id));
  }

  registerProcessor(processor: JobProcessor, options?: RegisterOptions): void {
    this.assertNotClosing();
    const checked = validateProcessor(processor);
    const { concurrency } = validateRegisterOptions(options);
    if (this.processorsByName.has(checked.name)) {
      throw new ValidationError('processor.name', `a processor for '${checked.name}' is already registered`);
    }
    this.processorsByName.set(checked.name, { processor: checked, concurrency });
    if (this.startedProcessing) {
      this._startName(checked.name).catch((error: unknown) => this.reportError(this.asCallError(error)));
    }
  }

  async start(): Promise<void> {
    this.assertNotClosing();
    await this.backendCall(async () => {
      if (this.startedProcessing) return;
      this.startedProcessing = true;
      await this._start();
      this.logger.info('provider started', { provider: this.name, names: [...this.processorsByName.keys()] });
    });
  }

  async pause(name?: string): Promise<void> {
    this.assertNotClosing();
    const checked = validateOptionalName(name);
    await this.backendCall(() => this._setPaused(checked, true));
  }

  async resume(name?: string): Promise<void> {
    this.assertNotClosing();
    const checked = validateOptionalName(name);
    await this.backendCall(() => this._setPaused(checked, false));
  }

  async getStats(name?: string): Promise<JobStats> {
    this.assertNotClosing();
    const checked = validateOptionalName(name);
    return this.backendCall(() => this._getStats(checked));
  }

  async checkHealth(): Promise<HealthStatus> {
    const startedAt = Date.now();
    if (this.isClosing) return { healthy: false, provider: this.name, latencyMs: 0, error: 'provider is closed' };
    try {
      await this.connect();
      await withDeadline(this._ping(), HEALTH_CHECK_TIMEOUT_MS, 'no answer from the backend');
      return { healthy: true, provider: this.name, latencyMs: Date.now() - startedAt };
    } catch (error) {
      return {
        healthy: false,
        provider: this.name,
        latencyMs: Date.now() - startedAt,
        error: this.asCallError(error).message,
      };
    }
  }

  async clean(options: CleanOptions): Promise<number> {
    this.assertNotClosing();
    const checked = validateCleanArgument(options);
    return this.backendCall(() => this._clean(checked));
  }

  async *exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot> {
    this.assertNotClosing();
    const checked = validateExportJobsQuery(query);
    if (this.currentStatus !== 'open') await this.connect();
    const iterator = this._exportJobs(checked)[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.assertNotClosing();
        let next: IteratorResult<JobSnapshot>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw this.asCallError(error);
        }
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  async importJobs(
    jobs: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>,
    options?: ImportOptions,
  ): Promise<ImportReport> {
    this.assertNotClosing();
    const onExisting = validateImportArguments(jobs, options);
    return this.backendCall(() =>
      importInBatches(jobs, {
        onExisting,
        batchSize: this.importBatchSize,
        maxPayloadBytes: this.commonOptions.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
        writeBatch: (batch, mode) => this._importBatch(batch, mode),
      }),
    );
  }

  async close(options?: CloseOptions): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const { timeoutMs } = validateCloseOptions(options, DEFAULT_CLOSE_TIMEOUT_MS);
    this.closing = this.closeSequence(timeoutMs);
    return this.closing;
  }

  // --- for implementers ---------------------------------------------------------------

  /** Every registered processor by name. */
  protected registrations(): ReadonlyMap<string, Registration> {
    return this.processorsByName;
  }

  protected registrationOf(name: string): Registration | undefined {
    return this.processorsByName.get(name);
  }

  /** The methods below, bound to this provider, for a worker class of the provider's own. */
  protected attemptHost(): AttemptHost {
    return {
      providerName: this.name,
      logger: this.logger,
      isClosing: () => this.isClosing,
      started: () => this.started,
      registrations: () => this.registrations(),
      registrationOf: (name) => this.registrationOf(name),
      beginAttempt: (key, job, attempt, saveProgress) => this.beginAttempt(key, job, attempt, saveProgress),
      endAttempt: (key) => this.endAttempt(key),
      reportCompleted: (job, result) => this.reportCompleted(job, result),
      reportRetrying: (job, error, delayMs) => this.reportRetrying(job, error, delayMs),
      reportFailed: (job, error) => this.reportFailed(job, error),
      reportStalled: (jobId, name) => this.reportStalled(jobId, name),
      reportError: (error) => this.reportError(error),
      translateError: (error) => this.translateError(error),
    };
  }

  /**
   * Begins one attempt of `job`, keyed by `key` (any object or value that is the same
   * for the attempt's end): its control (the job's `timeoutMs`, the abort at close) and
   * the context its processor gets. `close()` waits for it until `endAttempt(key)`.
   */
  protected beginAttempt(
    key: unknown,
    job: { id: string; name: string; timeoutMs?: number | undefined },
    attempt: number,
    saveProgress: (percent: number) => Promise<void>,
  ): StartedAttempt {
    const control = new AttemptControl(job.id, job.timeoutMs);
    const context = createJobContext({ attempt, control, logger: this.logger, provider: this.name, job, saveProgress });
    const started = { control, context };
    this.attempts.add(key, started);
    return started;
  }

  /** The attempt begun with `key` is over: its outcome is recorded, or it was given up. */
  protected endAttempt(key: unknown): void {
    const started = this.attempts.get(key);
    started?.control.end();
    this.attempts.delete(key);
  }

  protected reportCompleted(job: JobInfo, result: unknown): void {
    this.logger.debug('job completed', { provider: this.name, jobName: job.name, jobId: job.id });
    this.emitSafely('completed', job, result);
  }

  protected reportRetrying(job: JobInfo, error: Error, delayMs: number): void {
    this.logger.info('job attempt failed, retrying', {
      provider: this.name,
      jobName: job.name,
      jobId: job.id,
      attempt: job.attemptsMade,
      delayMs,
      error: error.message,
    });
    this.emitSafely('retrying', job, error, delayMs);
  }

  protected reportFailed(job: JobInfo, error: Error): void {
    this.logger.warn('job failed', { provider: this.name, jobName: job.name, jobId: job.id, error: error.message });
    this.emitSafely('failed', job, error);
  }

  protected reportStalled(jobId: string, name: string): void {
    this.logger.warn('job stalled: its worker stopped mid-attempt; it will run again', {
      provider: this.name,
      jobName: name,
      jobId,
    });
    this.emitSafely('stalled', jobId, name);
  }

  /** An error that belongs to no call (see `ErrorReporter`). */
  protected reportError(error: Error): void {
    this.errorReporter.report(error);
  }

  /** `text` with the passwords of the provider's connection URLs taken out. */
  protected redact(text: string): string {
    return this.errorReporter.redact(text);
  }

  // --- the template's own steps -------------------------------------------------------

  private assertNotClosing(): void {
    if (this.isClosing) throw new ProviderClosedError(this.name);
  }

  /**
   * Connects first when needed, then runs a hook; its errors reach the caller typed.
   * When open (every call but the first) it adds one `catch` to the hook's promise and
   * no async frame of its own: every scheduleJob passes here, and on the memory
   * provider an async wrapper cost a tenth of its enqueue rate.
   */
  private backendCall<T>(hook: () => Promise<T>): Promise<T> {
    if (this.currentStatus !== 'open') return this.connectThenCall(hook);
    let pending: Promise<T>;
    try {
      pending = hook();
    } catch (error) {
      // A hook written without `async` may throw instead of rejecting.
      return Promise.reject(this.asCallError(error));
    }
    return pending.catch((error: unknown) => {
      throw this.asCallError(error);
    });
  }

  private async connectThenCall<T>(hook: () => Promise<T>): Promise<T> {
    await this.connect();
    this.assertNotClosing();
    return this.backendCall(hook);
  }

  private asCallError(error: unknown): Error {
    if (error instanceof SwitchyardError) return error;
    return this.translateError(error);
  }

  private async closeSequence(timeoutMs: number): Promise<void> {
    const wasConnecting = this.connecting;
    const wasConnected = this.currentStatus === 'open' || this.currentStatus === 'connecting';
    this.currentStatus = 'closing';
    // A connect() under way ends on its own; if it fails, there is nothing to close.
    const connected =
      wasConnected &&
      (await (wasConnecting ?? Promise.resolve()).then(
        () => true,
        () => false,
      ));
    if (connected) {
      await this._stopFetching().catch((error: unknown) => this.logCloseStepFailure('stopping', error));
      if (this.attempts.size > 0) {
        const finished = await withDeadline(this.attempts.whenIdle(), timeoutMs, 'active jobs').then(
          () => true,
          () => false,
        );
        if (!finished) {
          this.logger.warn('close timed out: aborting active jobs', {
            provider: this.name,
            active: this.attempts.size,
          });
          this.attempts.abortAll(new ProviderClosedError(this.name));
          // Processors that honour the signal end at once; their outcome may still be being written.
          await withDeadline(this.attempts.whenIdle(), ABORT_GRACE_MS, 'aborted jobs').catch(() => undefined);
        }
      }
      await this._disconnect().catch((error: unknown) => this.logCloseStepFailure('disconnecting', error));
    }
    this.currentStatus = 'closed';
    this.logger.info('provider closed', { provider: this.name });
  }

  private logCloseStepFailure(step: string, error: unknown): void {
    this.logger.warn(`close: ${step} failed`, { provider: this.name, error: this.redact(toError(error).message) });
  }
}
