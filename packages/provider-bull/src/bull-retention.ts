/**
 * Retention policies (`removeOnComplete` / `removeOnFail`) in a Bull job's options.
 *
 * - Keep none (`true`, a count of 0): Bull's own `removeOnComplete: true` /
 *   `removeOnFail: true`, so Bull deletes the job in the same script that finishes it,
 *   and the worker frees its id in the provider's index.
 * - A count or an age: not Bull's `{ count, age }`, which Bull applies inside its own
 *   script and so deletes jobs whose ids the provider's index would go on holding
 *   (taken for ever, and the index growing with every job Bull removed). The policy
 *   is kept in the job option `keepCompleted` / `keepFailed` instead, and the worker
 *   applies it with the trimmer of finished-job-trimmer.ts, which removes the same jobs Bull would and
 *   frees their ids.
 * - Keep all: nothing stored.
 */
import { KEEP_ALL, KEEP_NONE, keepsAll, keepsNone, type RetentionPolicy } from '@switchyard/core';
import type { BullJobOptions } from './to-bull-job-options.js';

export type FinishedState = 'completed' | 'failed';

/** The job options that hold a count or age policy, per finished state. */
export const KEEP_OPTION: Record<FinishedState, 'keepCompleted' | 'keepFailed'> = {
  completed: 'keepCompleted',
  failed: 'keepFailed',
};
const BULL_REMOVE_OPTION: Record<FinishedState, 'removeOnComplete' | 'removeOnFail'> = {
  completed: 'removeOnComplete',
  failed: 'removeOnFail',
};

/** Writes `policy` for jobs finishing in `state` into `opts` (assigned, not spread: this runs for every job). */
export function setRetention(opts: BullJobOptions, state: FinishedState, policy: RetentionPolicy): void {
  if (keepsAll(policy)) return;
  if (keepsNone(policy)) opts[BULL_REMOVE_OPTION[state]] = true;
  else (opts as Record<string, unknown>)[KEEP_OPTION[state]] = { ageMs: policy.ageMs, count: policy.count };
}

/** The policy a Bull job's options hold for `state` (a plain Bull job: Bull's own option, read as far as it is exact). */
export function retentionOfBullOptions(opts: BullJobOptions, state: FinishedState): RetentionPolicy {
  const kept = (opts as Record<string, unknown>)[KEEP_OPTION[state]] as RetentionPolicy | undefined;
  if (kept !== undefined) return kept;
  const bull: unknown = opts[BULL_REMOVE_OPTION[state]];
  if (bull === true || bull === 0) return KEEP_NONE;
  if (typeof bull === 'number' && Number.isInteger(bull) && bull > 0) return { ageMs: null, count: bull };
  if (typeof bull === 'object' && bull !== null) {
    const { age, count } = bull as { age?: unknown; count?: unknown };
    return {
      ageMs: typeof age === 'number' && age > 0 ? Math.round(age * 1000) : null,
      count: typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null,
    };
  }
  return KEEP_ALL;
}
