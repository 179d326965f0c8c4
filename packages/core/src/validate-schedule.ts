import { ValidationError } from './errors.js';
import { assertValidCron, isKnownTimeZone } from './cron-schedule.js';
import { assertJsonData } from './json-data.js';
import { hasBidiControl, hasControlCharacter, hasLoneSurrogate } from './unicode-text.js';
import { MAX_BACKOFF_DELAY_MS } from './backoff.js';
import { validateRetention, type RetentionOption, type RetentionPolicy } from './retention.js';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_PRIORITY,
  HIGHEST_PRIORITY,
  LOWEST_PRIORITY,
  type BackoffOptions,
  type RepeatOptions,
  type ScheduleOptions,
} from './schedule-options.js';

/** Limits and defaults a provider applies when validating; every provider takes these as options. */
export interface ValidationLimits {
  /** Largest `JSON.stringify(data)` in bytes; default 512 KiB. */
  maxPayloadBytes?: number;
  /** `attempts` when the caller gives none; default 3. */
  defaultAttempts?: number;
  /** `backoff` when the caller gives none; default none (retry at once). */
  defaultBackoff?: BackoffOptions;
  /** `removeOnComplete` when the caller gives none; default `false` (keep every completed job). */
  defaultRemoveOnComplete?: RetentionOption;
  /** `removeOnFail` when the caller gives none; default `false` (keep every failed job). */
  defaultRemoveOnFail?: RetentionOption;
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 512 * 1024;
export const MAX_JOB_NAME_LENGTH = 200;
export const MAX_JOB_ID_LENGTH = 256;
/**
 * The most `attempts` a job may have. Retries are for transient failures; a job
 * that fails a thousand times is not transient, and a huge count (1e308) would keep a
 * poisoned job cycling through the backend for ever.
 */
export const MAX_ATTEMPTS = 1000;
/**
 * The shortest `repeat.everyMs`: one second, the granularity of cron with seconds.
 * Every provider stores each occurrence as a job (a Redis write, a MongoDB document),
 * so an interval of a few milliseconds would flood the backend with writes; below a
 * second, a repeating job is the wrong tool.
 */
export const MIN_REPEAT_EVERY_MS = 1000;
/** The longest `timeoutMs`: what a Node.js timer can wait (about 24.8 days); a longer one would fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** The latest instant a `Date` can hold (year 275760): a due time beyond it would be an Invalid Date. */
const LATEST_DATE_MS = 8.64e15;

/** A validated `scheduleJob` call with every default applied and the due time resolved. */
export interface ValidatedSchedule<T = unknown> {
  name: string;
  data: T;
  jobId?: string;
  /** When the first run is due; `now` for immediate jobs and past `runAt`s; the first occurrence for repeats is the provider's to compute. */
  runAt: Date;
  /** True when `runAt` lies in the future (the job starts `scheduled` rather than `waiting`). */
  delayed: boolean;
  priority: number;
  attempts: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  repeat?: RepeatOptions;
  /** Which completed jobs of the name to keep when this one completes (see `RetentionOption`). */
  removeOnComplete: RetentionPolicy;
  /** Which failed jobs of the name to keep when this one fails for good. */
  removeOnFail: RetentionPolicy;
}

const OPTION_KEYS = new Set<string>([
  'jobId',
  'runAt',
  'delayMs',
  'priority',
  'attempts',
  'backoff',
  'timeoutMs',
  'repeat',
  'removeOnComplete',
  'removeOnFail',
]);
const BACKOFF_KEYS = new Set<string>(['type', 'delayMs', 'maxDelayMs', 'jitter']);

/**
 * The one validator every provider calls before it stores anything. Throws
 * `ValidationError` naming the offending field; returns the schedule with defaults
 * applied.
 *
 * @example
 * ```ts
 * const schedule = validateSchedule('email', { to: 'a@b.c' }, { delayMs: 1000 }, this.limits);
 * ```
 */
export function validateSchedule<T>(
  name: unknown,
  data: T,
  options?: ScheduleOptions,
  limits: ValidationLimits = {},
  now: Date = new Date(),
): ValidatedSchedule<T> {
  const jobName = validateJobName(name);
  assertJsonData(data, limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
  const opts = requirePlainObject(options ?? {}, 'options');
  for (const key of Object.keys(opts)) {
    if (!OPTION_KEYS.has(key)) throw new ValidationError(key, `unknown option (known: ${[...OPTION_KEYS].join(', ')})`);
  }

  const jobId = opts.jobId === undefined ? undefined : validateJobId(opts.jobId);
  if (opts.runAt !== undefined && opts.delayMs !== undefined) {
    throw new ValidationError('runAt', 'give runAt or delayMs, not both');
  }
  let runAt = now;
  if (opts.runAt !== undefined) {
    if (!(opts.runAt instanceof Date) || Number.isNaN(opts.runAt.getTime())) {
      throw new ValidationError('runAt', 'must be a valid Date');
    }
    runAt = opts.runAt.getTime() > now.getTime() ? new Date(opts.runAt.getTime()) : now;
  }
  if (opts.delayMs !== undefined) {
    runAt = new Date(
      now.getTime() + requireNumber(opts.delayMs, 'delayMs', { min: 0, max: LATEST_DATE_MS - now.getTime() }),
    );
  }

  const priority =
    opts.priority === undefined
      ? DEFAULT_PRIORITY
      : requireNumber(opts.priority, 'priority', { min: HIGHEST_PRIORITY, max: LOWEST_PRIORITY, integer: true });
  const attempts =
    opts.attempts === undefined
      ? (limits.defaultAttempts ?? DEFAULT_ATTEMPTS)
      : requireNumber(opts.attempts, 'attempts', { min: 1, max: MAX_ATTEMPTS, integer: true });
  const backoff = opts.backoff === undefined ? limits.defaultBackoff : validateBackoff(opts.backoff);
  const timeoutMs =
    opts.timeoutMs === undefined
      ? undefined
      : requireNumber(opts.timeoutMs, 'timeoutMs', { min: 1, max: MAX_TIMEOUT_MS, integer: true });
  let repeat: RepeatOptions | undefined;
  if (opts.repeat !== undefined) {
    if (opts.runAt !== undefined || opts.delayMs !== undefined) {
      throw new ValidationError('repeat', 'cannot be combined with runAt or delayMs');
    }
    repeat = validateRepeat(opts.repeat);
  }
  const removeOnComplete = validateRetention(
    opts.removeOnComplete === undefined ? (limits.defaultRemoveOnComplete ?? false) : opts.removeOnComplete,
    'removeOnComplete',
  );
  const removeOnFail = validateRetention(
    opts.removeOnFail === undefined ? (limits.defaultRemoveOnFail ?? false) : opts.removeOnFail,
    'removeOnFail',
  );

  // Optional fields are set only when given (no `undefined` keys), by assignment: a
  // conditional spread per field cost more than the rest of this function.
  const schedule: ValidatedSchedule<T> = {
    name: jobName,
    data,
    runAt,
    delayed: runAt.getTime() > now.getTime(),
    priority,
    attempts,
    removeOnComplete,
    removeOnFail,
  };
  if (jobId !== undefined) schedule.jobId = jobId;
  if (backoff !== undefined) schedule.backoff = backoff;
  if (timeoutMs !== undefined) schedule.timeoutMs = timeoutMs;
  if (repeat !== undefined) schedule.repeat = repeat;
  return schedule;
}

/**
 * A job name: a non-empty string of at most 200 characters, no `:`, no control or
 * bidirectional formatting characters, well-formed Unicode.
 *
 * `:` is refused because the name is a segment of Redis keys on the Redis backends
 * (`<prefix>:<name>:<job id>`): with it, name `a` and id `b:1` would be the same key
 * as name `a:b` and id `1`. BullMQ refuses it in queue names for the same reason.
 */
export function validateJobName(name: unknown, field = 'name'): string {
  const value = validateIdentifier(name, field, MAX_JOB_NAME_LENGTH);
  if (value.includes(':'))
    throw new ValidationError(field, "must not contain ':' (it separates the parts of backend keys)");
  return value;
}

/**
 * A caller's job id: a non-empty string of at most 256 characters, no control or
 * bidirectional formatting characters, well-formed Unicode. Any other character is
 * fine (`booking:42:24h`, `a/b`); ids that differ only in case or in Unicode
 * normalisation are different ids on every provider.
 */
export function validateJobId(jobId: unknown, field = 'jobId'): string {
  return validateIdentifier(jobId, field, MAX_JOB_ID_LENGTH);
}

/** The rules names and ids share. */
function validateIdentifier(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty string');
  if (value.length > maxLength) throw new ValidationError(field, `must be at most ${maxLength} characters`);
  if (hasControlCharacter(value)) throw new ValidationError(field, 'must not contain control characters');
  if (hasBidiControl(value)) throw new ValidationError(field, 'must not contain bidirectional formatting characters');
  // MongoDB stores strings as UTF-8 and would turn a lone surrogate into U+FFFD, a different id.
  if (hasLoneSurrogate(value)) throw new ValidationError(field, 'must be well-formed Unicode (a lone surrogate)');
  return value;
}

export function validateBackoff(value: unknown, field = 'backoff'): BackoffOptions {
  const backoff = requirePlainObject(value, field);
  for (const key of Object.keys(backoff)) {
    if (!BACKOFF_KEYS.has(key)) throw new ValidationError(`${field}.${key}`, 'unknown backoff option');
  }
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') {
    throw new ValidationError(`${field}.type`, "must be 'fixed' or 'exponential'");
  }
  const delayMs = requireNumber(backoff.delayMs, `${field}.delayMs`, { min: 0, max: MAX_BACKOFF_DELAY_MS });
  const result: BackoffOptions = { type: backoff.type, delayMs };
  if (backoff.maxDelayMs !== undefined) {
    result.maxDelayMs = requireNumber(backoff.maxDelayMs, `${field}.maxDelayMs`, {
      min: delayMs,
      max: MAX_BACKOFF_DELAY_MS,
    });
  }
  if (backoff.jitter !== undefined) {
    result.jitter = requireNumber(backoff.jitter, `${field}.jitter`, { min: 0, max: 1 });
  }
  return result;
}

export function validateRepeat(value: unknown, field = 'repeat'): RepeatOptions {
  const repeat = requirePlainObject(value, field);
  const hasCron = repeat.cron !== undefined;
  const hasEvery = repeat.everyMs !== undefined;
  if (hasCron === hasEvery) throw new ValidationError(field, 'give exactly one of cron or everyMs');
  if (hasEvery) {
    for (const key of Object.keys(repeat)) {
      if (key !== 'everyMs') throw new ValidationError(`${field}.${key}`, 'unknown repeat option');
    }
    // Bounded so that occurrences (multiples of everyMs from the epoch) are valid Dates, never Invalid Date.
    return {
      everyMs: requireNumber(repeat.everyMs, `${field}.everyMs`, {
        min: MIN_REPEAT_EVERY_MS,
        max: LATEST_DATE_MS / 4,
        integer: true,
      }),
    };
  }
  for (const key of Object.keys(repeat)) {
    if (key !== 'cron' && key !== 'tz') throw new ValidationError(`${field}.${key}`, 'unknown repeat option');
  }
  if (typeof repeat.cron !== 'string' || repeat.cron.trim() === '') {
    throw new ValidationError(`${field}.cron`, 'must be a non-empty cron expression');
  }
  if (repeat.tz !== undefined && (typeof repeat.tz !== 'string' || !isKnownTimeZone(repeat.tz))) {
    throw new ValidationError(`${field}.tz`, 'must be an IANA time zone such as Europe/Paris');
  }
  try {
    assertValidCron(repeat.cron, repeat.tz);
  } catch (error) {
    throw new ValidationError(`${field}.cron`, `not a valid cron expression (${(error as Error).message})`);
  }
  return repeat.tz === undefined ? { cron: repeat.cron } : { cron: repeat.cron, tz: repeat.tz };
}

function requirePlainObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function requireNumber(
  value: unknown,
  field: string,
  bounds: { min?: number; max?: number; integer?: boolean },
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, 'must be a finite number');
  if (bounds.integer && !Number.isInteger(value)) throw new ValidationError(field, 'must be a whole number');
  if (bounds.min !== undefined && value < bounds.min)
    throw new ValidationError(field, `must be at least ${bounds.min}`);
  if (bounds.max !== undefined && value > bounds.max) throw new ValidationError(field, `must be at most ${bounds.max}`);
  return value;
}
