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
 * One job-queue API over interchangeable backends.
 *
 * Implementers must:
 * - call `validateSchedule` (from this package) first in `scheduleJob`, and store
 *   nothing when it throws;
 * - treat a job name as one logical queue: pause, resume, stats and concurrency are per name;
 * - keep job ids unique across all names of one provider (ids are generated with
 *   `crypto.randomUUID()` when the caller gives none);
 * - reject with `ProviderUnavailableError` (host and port, never a password) within a
 *   bounded time when the backend is down, never hang;
 * - pass the contract suite in `@switchyard/core/testing` unmodified.
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
  /** Connects to the backend; fails fast with `ProviderUnavailableError`. */
  connect(): Promise<void>;
  /** Stores a job and returns its id. Throws `ValidationError` on bad input. */
  scheduleJob<T>(name: string, data: T, options?: ScheduleOptions): Promise<string>;
  /** Removes a job that is not running; false if unknown or already active. Stops a repeating job for good. */
  cancelJob(jobId: string): Promise<boolean>;
  getJob<T = unknown>(jobId: string): Promise<JobInfo<T> | null>;
  /** Jobs ordered by `createdAt`, then id. */
  listJobs(query?: ListJobsQuery): Promise<JobInfo[]>;
  /** Puts a failed job back to waiting with a fresh set of attempts; false if it is not failed. */
  retryJob(jobId: string): Promise<boolean>;
  registerProcessor(processor: JobProcessor, options?: RegisterOptions): void;
  /** Begins processing the registered names. */
  start(): Promise<void>;
  /** Stops taking new jobs of one name (or of every name, including ones first used later). */
  pause(name?: string): Promise<void>;
  resume(name?: string): Promise<void>;
  /** Counts per state for one name, or summed over every name. */
  getStats(name?: string): Promise<JobStats>;
  checkHealth(): Promise<HealthStatus>;
  /** Removes finished jobs; returns how many. */
  clean(options: CleanOptions): Promise<number>;
  /** Streams portable snapshots; never holds every job in memory at once. */
  exportJobs(query?: ExportQuery): AsyncIterable<JobSnapshot>;
  importJobs(
    jobs: AsyncIterable<JobSnapshot> | Iterable<JobSnapshot>,
    options?: ImportOptions,
  ): Promise<ImportReport>;
  on<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this;
  off<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this;
  /** Graceful: stop taking new jobs, let active ones finish (or abort them at the timeout), then close connections. */
  close(options?: CloseOptions): Promise<void>;
}
