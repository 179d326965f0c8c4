import { ValidationError } from './errors.js';

/**
 * How long finished jobs of a name are kept, as a caller writes it
 * (`removeOnComplete` / `removeOnFail`, and the provider-wide defaults):
 *
 * - `true` (or a count of 0): this job is removed as it finishes; the others stay;
 * - `false`: kept until `clean()` removes it;
 * - a count N: when this job finishes, the newest N finished jobs of its name and
 *   state are kept (this one included), older ones removed;
 * - `{ ageMs?, count? }`: when this job finishes, those of its name and state that
 *   finished `ageMs` or longer ago are removed, then all but the newest `count`.
 *
 * These are Bull's semantics (its `removeOnComplete` and KeepJobs), which every
 * provider shares: the policy of the job that finishes is applied, at that moment, to
 * the finished jobs of its name, whatever their own options said. So a job kept for a
 * day is removed when a later job of its name finishes after that day; each
 * provider's README row says whether it also removes at other times.
 */
export type RetentionOption = boolean | number | { ageMs?: number; count?: number };

/** A retention option with its cases resolved: `null` is no bound. */
export interface RetentionPolicy {
  /** Finished jobs kept at most this long after finishing. */
  ageMs: number | null;
  /** At most this many finished jobs kept (the newest); 0 removes the finishing job alone. */
  count: number | null;
}

/** Keeps every finished job: the default. */
export const KEEP_ALL: RetentionPolicy = Object.freeze({ ageMs: null, count: null });
/** Removes the job as it finishes and leaves the others (`true`). */
export const KEEP_NONE: RetentionPolicy = Object.freeze({ ageMs: null, count: 0 });

/** The largest count or age accepted: beyond it a number no longer holds every whole number exactly. */
const MAX_BOUND = Number.MAX_SAFE_INTEGER;
const RETENTION_KEYS = new Set(['ageMs', 'count']);

function wholeNumber(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_BOUND) {
    throw new ValidationError(field, `must be a whole number of at least ${min}`);
  }
  return value;
}

/** Checks a retention option; throws `ValidationError` naming `field` (`removeOnComplete.ageMs`, ...). */
export function validateRetention(value: unknown, field: string): RetentionPolicy {
  if (value === true) return KEEP_NONE;
  if (value === false) return KEEP_ALL;
  if (typeof value === 'number') return { ageMs: null, count: wholeNumber(value, field, 0) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be true, false, a count, or { ageMs?, count? }');
  }
  const option = value as Record<string, unknown>;
  for (const key of Object.keys(option)) {
    if (!RETENTION_KEYS.has(key)) throw new ValidationError(`${field}.${key}`, 'unknown option (known: ageMs, count)');
  }
  if (option.ageMs === undefined && option.count === undefined) {
    throw new ValidationError(field, 'give ageMs, count or both');
  }
  return {
    ageMs: option.ageMs === undefined ? null : wholeNumber(option.ageMs, `${field}.ageMs`, 1),
    count: option.count === undefined ? null : wholeNumber(option.count, `${field}.count`, 0),
  };
}

/** True when the policy keeps every finished job. */
export function keepsAll(policy: RetentionPolicy): boolean {
  return policy.ageMs === null && policy.count === null;
}

/** True when the policy removes the finishing job itself (count 0). */
export function keepsNone(policy: RetentionPolicy): boolean {
  return policy.count === 0;
}

/** The policy in the option form a caller would write (and a snapshot stores); `undefined` for keep-all. */
export function retentionOption(policy: RetentionPolicy): Exclude<RetentionOption, false> | undefined {
  if (keepsAll(policy)) return undefined;
  if (keepsNone(policy)) return true;
  if (policy.ageMs === null) return policy.count!;
  return policy.count === null ? { ageMs: policy.ageMs } : { ageMs: policy.ageMs, count: policy.count };
}
