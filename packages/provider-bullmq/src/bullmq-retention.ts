/**
 * Retention policies (`removeOnComplete` / `removeOnFail`) as BullMQ's own job
 * options, which mean the same (the policy of the finishing job trims its queue's
 * finished set): `true` keeps none, a number the newest N, `{ age, count }` with age
 * in whole seconds. BullMQ applies them in the script that finishes the job.
 *
 * Unlike the Bull provider, no trimming of the provider's own: the ids of jobs BullMQ
 * removes by count or age stay in the job directory until `clean()` (a gap to close).
 */
import type { KeepJobs } from 'bullmq';
import { KEEP_ALL, KEEP_NONE, keepsAll, keepsNone, type RetentionPolicy } from '@switchyard/core';

export function toBullMQKeepJobs(policy: RetentionPolicy): boolean | number | KeepJobs {
  if (keepsAll(policy)) return false;
  if (keepsNone(policy)) return true;
  if (policy.ageMs === null) return policy.count!;
  // Whole seconds: BullMQ's PostgreSQL backend stores the age as an integer (a fraction
  // fails the job's completion). An age that is not a whole number of seconds keeps jobs
  // up to a second longer.
  const age = Math.ceil(policy.ageMs / 1000);
  return policy.count === null ? { age } : { age, count: policy.count };
}

/** A job option as BullMQ holds it, back as a policy (a plain BullMQ job's too). */
export function retentionOfBullMQOption(option: unknown): RetentionPolicy {
  if (option === true || option === 0) return KEEP_NONE;
  if (typeof option === 'number' && Number.isInteger(option) && option > 0) return { ageMs: null, count: option };
  if (typeof option === 'object' && option !== null) {
    const { age, count } = option as { age?: unknown; count?: unknown };
    const policy: RetentionPolicy = {
      ageMs: typeof age === 'number' && age > 0 ? Math.round(age * 1000) : null,
      count: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null,
    };
    return keepsAll(policy) ? KEEP_ALL : policy;
  }
  return KEEP_ALL;
}
