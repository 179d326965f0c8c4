/**
 * Retention policies (`removeOnComplete` / `removeOnFail`) on BullMQ. `true` is BullMQ's
 * own option (the job is deleted in the script or transaction that finishes it); a
 * count or an age is applied by the provider's own trimmer (`finished-job-trimmer.ts`,
 * which says why), so BullMQ is told to keep the job and the policy travels in the
 * job's `switchyard` options. Jobs that plain BullMQ code added keep whatever BullMQ
 * option they were given, and BullMQ applies it.
 */
import {
  KEEP_ALL,
  KEEP_NONE,
  keepsAll,
  keepsNone,
  retentionOption,
  validateRetention,
  type RetentionOption,
  type RetentionPolicy,
} from '@switchyard/core';
import { metaOf, type SwitchyardJobsOptions } from './to-bullmq-job-options.js';

/** BullMQ's `removeOnComplete` / `removeOnFail` for a policy: only "keep none" is BullMQ's to apply. */
export function toBullMQRemoveOption(policy: RetentionPolicy): boolean {
  return keepsNone(policy);
}

/** The policy the provider's trimmer applies (a count or an age), in the option form snapshots store too; else none. */
export function trimmedPolicy(policy: RetentionPolicy): RetentionOption | undefined {
  return keepsAll(policy) || keepsNone(policy) ? undefined : retentionOption(policy);
}

/** The policy of a finished job in `state`: the provider's, else what BullMQ's option says. */
export function retentionOfBullMQJob(opts: SwitchyardJobsOptions, state: 'completed' | 'failed'): RetentionPolicy {
  const meta = metaOf(opts);
  const stored = state === 'completed' ? meta.keepCompleted : meta.keepFailed;
  if (stored !== undefined) {
    try {
      return validateRetention(stored, state === 'completed' ? 'switchyard.keepCompleted' : 'switchyard.keepFailed');
    } catch {
      // Not written by this provider: keep the job, as BullMQ's own options say.
    }
  }
  return retentionOfBullMQOption(state === 'completed' ? opts.removeOnComplete : opts.removeOnFail);
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
