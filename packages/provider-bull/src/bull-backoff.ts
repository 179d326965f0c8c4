/**
 * A contract backoff as Bull's job option `backoff`, and back.
 *
 * Bull's built-in strategies (lib/backoffs.js), after `n` failed attempts:
 * - `fixed`: `delay` every time, the same as the contract's `fixed`;
 * - `exponential`: `round((2^n - 1) * delay)`, i.e. 1x, 3x, 7x ...; the contract's is
 *   `delayMs * 2^(n - 1)`, i.e. 1x, 2x, 4x ...: equal only for the first retry.
 *
 * So a backoff is stored as Bull's own where that is exact, and a plain Bull worker
 * (default settings) retries the job just as Switchyard's would:
 * - `{ type: 'fixed', delayMs }` (no cap, no jitter) as `{ type: 'fixed', delay }`;
 * - `{ type: 'exponential', delayMs }` (no cap, no jitter) with `attempts` <= 2 (one
 *   retry at most) as `{ type: 'exponential', delay }`.
 * Every other backoff (an exponential series, a cap, jitter) has no Bull equivalent and
 * is stored as `{ type: 'switchyard', options: <BackoffOptions> }`, which a plain Bull
 * worker needs one setting for: `settings: { backoffStrategies: SWITCHYARD_BACKOFF_STRATEGIES }`.
 *
 * Read back, Bull's `fixed` and `exponential` (also from plain Bull producers, and a
 * plain number, which Bull means as `fixed`) are the contract's of the same type and
 * delay. For a plain job's exponential with more than one retry that is the closest
 * contract backoff, not an equal one: Switchyard's worker leaves its timing to Bull
 * (1x, 3x, 7x ...), a snapshot migrated to another provider retries 1x, 2x, 4x ....
 */
import type Bull from 'bull';
import { computeBackoffDelay, type BackoffOptions } from '@switchyard/core';

/** The name of Switchyard's custom backoff strategy (for backoffs Bull has no equivalent of). */
export const SWITCHYARD_BACKOFF = 'switchyard';

/**
 * Bull's `settings.backoffStrategies` entry that retries Switchyard's jobs as Switchyard
 * does: give it to a plain Bull queue that processes them.
 *
 * @example
 * ```ts
 * const queue = new Bull('invoice', redisUrl, { prefix: 'billing', settings: { backoffStrategies: SWITCHYARD_BACKOFF_STRATEGIES } });
 * ```
 */
export const SWITCHYARD_BACKOFF_STRATEGIES: Readonly<
  Record<typeof SWITCHYARD_BACKOFF, (attemptsMade: number, error: Error, options?: unknown) => number>
> = {
  [SWITCHYARD_BACKOFF]: (attemptsMade, _error, options) =>
    computeBackoffDelay(options as BackoffOptions | undefined, attemptsMade),
};

/** Bull's `backoff` option for a contract backoff of a job with `attempts` tries (see above). */
export function toBullBackoff(backoff: BackoffOptions, attempts: number): Bull.BackoffOptions {
  const plain = backoff.maxDelayMs === undefined && backoff.jitter === undefined;
  if (plain && (backoff.type === 'fixed' || attempts <= 2)) return { type: backoff.type, delay: backoff.delayMs };
  return { type: SWITCHYARD_BACKOFF, options: backoff };
}

/** The contract backoff of a Bull job's options, if it has one the contract can express. */
export function backoffOfBullOptions(opts: Bull.JobOptions): BackoffOptions | undefined {
  const backoff: unknown = opts.backoff;
  if (typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 0) {
    return { type: 'fixed', delayMs: backoff };
  }
  if (typeof backoff !== 'object' || backoff === null) return undefined;
  const { type, delay, options } = backoff as { type?: unknown; delay?: unknown; options?: unknown };
  if (type === SWITCHYARD_BACKOFF) return options as BackoffOptions;
  if ((type === 'fixed' || type === 'exponential') && typeof delay === 'number' && delay >= 0) {
    return { type, delayMs: delay };
  }
  return undefined;
}

/**
 * The delay Bull's built-in strategy gives after `attemptsMade` failed attempts, for
 * the retry events of jobs it times itself; undefined for any other strategy.
 */
export function bullBuiltinBackoffDelay(opts: Bull.JobOptions, attemptsMade: number): number | undefined {
  const backoff: unknown = opts.backoff;
  if (typeof backoff === 'number') return backoff;
  if (typeof backoff !== 'object' || backoff === null) return undefined;
  const { type, delay } = backoff as { type?: unknown; delay?: unknown };
  if (typeof delay !== 'number') return undefined;
  if (type === 'fixed') return delay;
  if (type === 'exponential') return Math.round((2 ** attemptsMade - 1) * delay);
  return undefined;
}
