import type { RetentionOption } from './retention.js';

/** How long to wait before the next attempt of a failed job. See `computeBackoffDelay`. */
export interface BackoffOptions {
  type: 'fixed' | 'exponential';
  /** Fixed: the delay; exponential: the delay before the second attempt, doubled each time after. */
  delayMs: number;
  /** Upper bound for any one delay (exponential growth stops here). */
  maxDelayMs?: number;
  /** 0..1: the delay is spread uniformly over `delay * (1 - jitter) .. delay`. */
  jitter?: number;
}

/** A job that runs again and again until cancelled. */
export type RepeatOptions = { cron: string; tz?: string } | { everyMs: number };

/** Options for `QueueProvider.scheduleJob`. Unknown keys are rejected. */
export interface ScheduleOptions {
  /** The caller's id; scheduling an id that exists is a no-op that returns the same id. */
  jobId?: string;
  /** Absolute time to run; a past time means now. Give `runAt` or `delayMs`, not both. */
  runAt?: Date;
  /** Relative delay in milliseconds; neither `runAt` nor `delayMs` means now. */
  delayMs?: number;
  /** 1 (highest) .. 10 (lowest); default 5. */
  priority?: number;
  /** Total tries including the first; default from the provider's options (3). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** An attempt running longer than this fails (and may retry); its signal is aborted. */
  timeoutMs?: number;
  /** Run repeatedly; cannot be combined with `runAt` or `delayMs`. */
  repeat?: RepeatOptions;
  /**
   * Which completed jobs of this name to keep once this one completes: `true` none,
   * `false` all, N the newest N, `{ ageMs?, count? }` (see `RetentionOption`); default
   * the provider's `defaultRemoveOnComplete` (keep all).
   */
  removeOnComplete?: RetentionOption;
  /** The same for failed jobs, once this one fails for good; default the provider's `defaultRemoveOnFail` (keep all). */
  removeOnFail?: RetentionOption;
}

export const DEFAULT_PRIORITY = 5;
export const HIGHEST_PRIORITY = 1;
export const LOWEST_PRIORITY = 10;
export const DEFAULT_ATTEMPTS = 3;
