import { computeBackoffDelay } from '../backoff.js';
import type { BackoffOptions } from '../schedule-options.js';

/** What follows a failed attempt: another one after `delayMs`, or the job has failed for good. */
export type FailedAttemptDecision = { kind: 'retry'; delayMs: number } | { kind: 'fail' };

export interface FailedAttempt {
  /** Attempts made so far, the failed one included. */
  attemptsMade: number;
  /** The job's `attempts`. */
  maxAttempts: number;
  backoff?: BackoffOptions | undefined;
  /**
   * The backend gave up on the job because its workers kept dying under it (Bull's
   * maxStalledCount setting): no retry, whatever attempts are left.
   */
  stalledTooOften?: boolean;
}

/**
 * The one place that decides whether a failed attempt is retried, and when: every
 * provider asks it (the memory and Agenda providers to act on it, the Bull provider to
 * report what Bull, given the same attempts and the same backoff maths, does).
 *
 * @example
 * ```ts
 * const next = decideAfterFailedAttempt({ attemptsMade: 1, maxAttempts: 3, backoff: { type: 'fixed', delayMs: 500 } });
 * // { kind: 'retry', delayMs: 500 }
 * ```
 */
export function decideAfterFailedAttempt(attempt: FailedAttempt): FailedAttemptDecision {
  if (attempt.stalledTooOften === true || attempt.attemptsMade >= attempt.maxAttempts) return { kind: 'fail' };
  return { kind: 'retry', delayMs: computeBackoffDelay(attempt.backoff, attempt.attemptsMade) };
}
