import type { JobInfo, JobState } from './job.js';
import type { JobProcessor } from './job-processor.js';
import type { ScheduleOptions } from './schedule-options.js';
import type { ImportReport, JobSnapshot } from './job-snapshot.js';

export interface ListJobsQuery {
  names?: string[];
  states?: JobState[];
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface ExportQuery {
  names?: string[];
  states?: JobState[];
}

export type JobStats = Record<JobState, number> & { paused: boolean };

export interface HealthStatus {
  healthy: boolean;
  provider: string;
  latencyMs: number;
  error?: string;
}

export interface CleanOptions {
  states: ('completed' | 'failed')[];
  /** Remove jobs that finished at least this long ago (0 = every finished job). */
  olderThanMs: number;
}

export interface ImportOptions {
  /** What to do with a snapshot whose id exists on this provider: keep the existing job (default) or overwrite it. */
  onExisting?: 'skip' | 'replace';
}

export interface RegisterOptions {
  /** How many jobs of this name may run at once in this process; default 1. */
  concurrency?: number;
}

export interface CloseOptions {
  /** How long active jobs may take to finish before their signals are aborted; default 30 000. */
  timeoutMs?: number;
}

/** The events a provider emits, with their listeners' signatures. */
export interface QueueProviderEvents {
  /** A job finished successfully. */
  completed: (job: JobInfo, result: unknown) => void;
  /** A job failed its last attempt; fires once per job. */
  failed: (job: JobInfo, error: Error) => void;
  /** An attempt failed and another will follow after `delayMs`. */
  retrying: (job: JobInfo, error: Error, delayMs: number) => void;
  /** A job's worker disappeared mid-attempt; the job will run again. */
  stalled: (jobId: string, name: string) => void;
  /** Something went wrong outside any one job (connection lost, backend error). */
  error: (error: Error) => void;
}

export type QueueProviderEvent = keyof QueueProviderEvents;

/**
 * One job-queue API over interchangeable backends. This interface is the
 * specification: every provider answers every call as written here, and the contract
 * suite in `@switchyard/core/testing` holds each to it.
 *
 * Lifecycle, for every method:
 * - before `connect()`: a method that needs the backend connects first (as if
 *   `connect()` had been called), so a constructed provider is usable at once;
 * - while closing and after `close()`: every method throws (or rejects with)
 *   `ProviderClosedError`, except `close()` (the same promise again), `checkHealth()`
 *   (`{ healthy: false, error: 'provider is closed' }`) and `on` / `off`;
 * - bad arguments: `ValidationError` naming the argument or field, checked before any
 *   backend call, in every state but closed;
 * - the backend down: `ProviderUnavailableError` naming host and port (never a
 *   password) within a bounded time, never a hang; any other backend failure is a
 *   `BackendError`.
 *
 * To write a provider, extend `BaseQueueProvider` from `@switchyard/core/provider-kit`:
 * it implements all of this once, and asks for storage hooks only.
 *
 * @example
 * ```ts
 * const provider: QueueProvider = new MemoryQueueProvider();
 * await provider.connect();
 * provider.registerProcessor({ name: 'email', process: async (job) => send(job.data) });
 * await provider.start();
 * await provider.scheduleJob('email', { to: 'a@example.com' }, { delayMs: 60_000 });
 * ```
 */
export interface QueueProvider {
  /** 'memory' | 'bull' | 'agenda' | ... */
  readonly name: string;
  /**
   * Connects to the backend; fails fast with `ProviderUnavailableError`. Calling it again
   * while connecting returns the same attempt; once connected it resolves at once; after
   * a failure it may be called again.
   */
  connect(): Promise<void>;
  /**
   * Stores a job and returns its id. `ValidationError` on bad input (name, data,
   * every option; see `validateSchedule`), and nothing is stored. An existing `jobId`
   * (under any name) is a no-op that returns the id.
   */
  scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string>;
  /**
   * Removes a job that is not running; false if unknown, already cancelled or active.
   * Stops a repeating job for good (one whose occurrence runs now finishes it, and true).
   * `jobId` must be a non-empty string (`ValidationError` on 'jobId').
   */
  cancelJob(jobId: string): Promise<boolean>;
  /** The job, or null. `jobId` must be a non-empty string (`ValidationError` on 'jobId'). */
  getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null>;
  /**
   * Jobs ordered by `createdAt`, then id. `query` is checked: known keys only
   * ('query.<key>'), `names` an array of job names, `states` of job states, `limit`
   * 1..1000 (default 100), `offset` from 0. A name nobody used answers empty, and is
   * not recorded anywhere.
   */
  listJobs(query?: ListJobsQuery): Promise<JobInfo[]>;
  /** Puts a failed job back to waiting with a fresh set of attempts; false if it is not failed. `jobId` as for `getJob`. */
  retryJob(jobId: string): Promise<boolean>;
  /**
   * Registers the processor of `processor.name`: an object with a valid job name
   * ('processor.name') and a `process` function ('processor.process'); `concurrency` a
   * whole number of at least 1; unknown options refused. A second processor for a name
   * is refused ('processor.name'). Allowed before `connect()`; after `start()` that
   * name starts processing at once.
   */
  registerProcessor(processor: JobProcessor, options?: RegisterOptions): void;
  /** Begins processing the registered names (connecting first if needed). A second call does nothing. */
  start(): Promise<void>;
  /** Stops taking new jobs of one name (or of every name, including ones first used later). `name` as `scheduleJob` takes it. */
  pause(name?: string): Promise<void>;
  resume(name?: string): Promise<void>;
  /** Counts per state for one name, or summed over every name. A name nobody used counts zero. */
  getStats(name?: string): Promise<JobStats>;
  /** Never throws: connects if needed and pings the backend within a bounded time. */
  checkHealth(): Promise<HealthStatus>;
  /** Removes finished jobs; returns how many. `states` of 'completed' / 'failed', `olderThanMs` at least 0. */
  clean(options: CleanOptions): Promise<number>;
  /** Streams portable snapshots; never holds every job in memory at once. `query` checked as for `listJobs` (no limit). */
  exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot>;
  /**
   * Stores snapshots (an iterable or async iterable, 'jobs'); each bad or `active`
   * snapshot is reported in `errors` and the rest go on. `onExisting`: 'skip' (default)
   * or 'replace'.
   */
  importJobs(jobs: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>, options?: ImportOptions): Promise<ImportReport>;
  on<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this;
  off<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this;
  /**
   * Graceful: stop taking new jobs, let active ones finish (or abort their signals at
   * `timeoutMs`, default 30 000, 0..2^31-1), then close connections. A second call
   * returns the same promise. A provider never connected has nothing to close.
   */
  close(options?: CloseOptions): Promise<void>;
}
