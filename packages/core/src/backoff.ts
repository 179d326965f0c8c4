import type { BackoffOptions } from './schedule-options.js';

/**
 * The longest wait before a retry: 365 days. Any longer (or an exponential series left
 * to grow) would put the next attempt past what a `Date` can hold.
 */
export const MAX_BACKOFF_DELAY_MS = 365 * 86_400_000;

/**
 * The delay before the next attempt, after `failedAttempts` attempts have failed (1 = the first failed).
 *
 * - fixed: `delayMs` every time;
 * - exponential: `delayMs * 2^(failedAttempts - 1)`, i.e. delayMs, 2x, 4x, ...;
 * - then capped at `maxDelayMs`, and at `MAX_BACKOFF_DELAY_MS` in any case;
 * - then, with `jitter` j, drawn uniformly from `[delay * (1 - j), delay]`, so jitter only
 *   ever shortens a delay and `maxDelayMs` stays a true upper bound.
 *
 * No backoff means retry at once (0).
 *
 * @example
 * ```ts
 * computeBackoffDelay({ type: 'exponential', delayMs: 1000, maxDelayMs: 30_000 }, 3); // 4000
 * ```
 */
export function computeBackoffDelay(
  backoff: BackoffOptions | undefined,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  if (backoff === undefined) return 0;
  const exponent = Math.max(0, failedAttempts - 1);
  let delay = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** exponent;
  delay = Math.min(delay, backoff.maxDelayMs ?? MAX_BACKOFF_DELAY_MS, MAX_BACKOFF_DELAY_MS);
  const jitter = backoff.jitter ?? 0;
  if (jitter > 0) delay -= delay * jitter * random();
  return Math.round(delay);
}
