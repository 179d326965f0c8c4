import type { Endpoint, ProviderUnavailableError } from '@switchyard/core';
import type { Job, JobState as BullMQState, JobsOptions, Queue, QueueOptions, Worker, WorkerOptions } from 'bullmq';
import type { DelayedWakeUps } from './delayed-wake-ups.js';
import type { JobDirectory } from './job-directory.js';

/** The BullMQ processor function a worker runs. */
export type BullMQProcessor = (job: Job, token?: string) => Promise<unknown>;

/** A finished job to store: its BullMQ fields. */
export interface FinishedJob {
  id: string;
  state: 'completed' | 'failed';
  data: unknown;
  opts: JobsOptions;
  timestamp: number;
  attemptsMade: number;
  finishedOn: number;
  failedReason?: string;
}

/**
 * One storage BullMQ runs on, as the provider needs it: the connection the provider
 * opens first (to fail fast with host and port), BullMQ's `Queue` and `Worker` bound to
 * it, and the few reads BullMQ has no backend-neutral API for. Implementations:
 * `RedisBackend` (ioredis) and `PostgresBackend` (pg, BullMQ 6's PostgreSQL backend).
 */
export interface BullMQBackend {
  readonly kind: 'redis' | 'postgres';
  /** The server's host and port, as errors and logs name it (never the URL: it may hold a password). */
  readonly endpoint: Endpoint;
  readonly directory: JobDirectory;
  /** Where workers wake late for delayed jobs by themselves (Redis), what wakes them on time. */
  readonly wakeUps?: DelayedWakeUps;
  /** Connects and checks the server answers; `ProviderUnavailableError` within a bounded time. */
  open(): Promise<void>;
  newQueue(name: string, options: Omit<QueueOptions, 'connection'>): Queue;
  newWorker(name: string, processor: BullMQProcessor, options: Omit<WorkerOptions, 'connection'>): Worker;
  /**
   * Stores a job that has already finished, as BullMQ itself would have left it
   * (import only: BullMQ's API adds jobs still to run, and nothing else).
   */
  addFinishedJob(name: string, job: FinishedJob): Promise<void>;
  /** Every job of `queue` in `state`, oldest first. */
  jobsIn(queue: Queue, state: BullMQState): Promise<Job[]>;
  /**
   * When each of these delayed jobs falls due (BullMQ keeps that in its delayed index,
   * not in the job); jobs no longer delayed are left out. One round trip for all: an
   * export reads thousands, and a query each would queue on the pool past its timeout.
   */
  dueTimesOf(name: string, bullmqJobIds: readonly string[]): Promise<Map<string, number>>;
  ping(): Promise<void>;
  /** True for errors that mean the server cannot be reached. */
  isConnectionError(error: unknown): boolean;
  /** `error` as `ProviderUnavailableError` naming host and port, with no password in it. */
  unavailable(error: unknown): ProviderUnavailableError;
  /** Ends the provider's own connections (BullMQ's queues and workers close their own). */
  close(): Promise<void>;
}
