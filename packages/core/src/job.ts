import type { BackoffOptions, RepeatOptions } from './schedule-options.js';

/**
 * Where a job is in its life. Every provider maps its backend's own states onto
 * these five:
 *
 * ```
 *   scheduled --(runAt reached)--> waiting --(picked up)--> active --+--> completed
 *       ^                             ^                              |
 *       |                             +----(retryJob)---- failed <---+ (last attempt)
 *       +--------(retry with backoff, or next repeat)----------------+
 * ```
 */
export type JobState = 'scheduled' | 'waiting' | 'active' | 'completed' | 'failed';

/** Every state, in lifecycle order; handy for stats and validation. */
export const JOB_STATES: readonly JobState[] = ['scheduled', 'waiting', 'active', 'completed', 'failed'];

/** What a provider tells about one job. Dates are real `Date`s here; snapshots carry ISO strings. */
export interface JobInfo<T = unknown> {
  id: string;
  name: string;
  data: T;
  state: JobState;
  /** When the job is due (next occurrence for a repeating job); null once it has finished. */
  runAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** 1 (highest) .. 10 (lowest). */
  priority: number;
  /** Attempts that have finished, successfully or not. */
  attemptsMade: number;
  maxAttempts: number;
  /** 0..100, as last reported by the processor. */
  progress: number;
  result?: unknown;
  failedReason?: string;
  repeat?: RepeatOptions;
  backoff?: BackoffOptions;
  timeoutMs?: number;
}
