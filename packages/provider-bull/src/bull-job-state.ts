/**
 * Bull's job states and how they map onto the contract's five `JobState`s.
 *
 * Bull keeps each job's id in one Redis list or sorted set at a time (keys under
 * `<prefix>:<job name>:`); the state of a job is simply where its id is:
 *
 * ```
 *                 Bull (lib/queue.js)                         Switchyard JobState
 *
 *   add ──(delay > 0)──> delayed (zset, score = due ms * 4096) ......... scheduled
 *    │                      │   ^
 *    │     (delay timer: due)   │ (attempt failed, backoff delay > 0:
 *    │                      v   │  moveToDelayed; also the next repeat)
 *    └──────(delay 0)────> wait (list, by priority) ..................... waiting
 *                         paused (list: wait renamed while paused) ....... waiting
 *                           │   ^
 *          (BRPOPLPUSH)     │   │ (attempt failed, no backoff: retryJob;
 *                           v   │  stalled: lock expired, moveStalledJobsToWait)
 *                         active (list, + a lock key per job) ........... active
 *                           │
 *              ┌────────────┴─────────────┐
 *              v (returned)               v (threw, no attempts left,
 *          completed (zset, finishedOn)   failed (zset)    or stalled too often)
 *              ..... completed            ..... failed ──(retryJob)──> wait
 *
 *   repeat: a repeatable is an entry in the `repeat` zset (score = next run);
 *   Bull adds one delayed job per occurrence (`repeat:<hash>:<millis>`), and
 *   adds the next one when an occurrence starts. Switchyard shows the whole series
 *   as ONE job with the caller's id, in the state of its newest occurrence.
 * ```
 *
 * A job found in none of these (Bull's "stuck", only seen for an instant while a
 * script moves it) is reported as `waiting`.
 */
import type { JobState } from '@switchyard/core';

/** Where Bull keeps a job: the key suffix of its list or sorted set. */
export type BullState = 'delayed' | 'wait' | 'paused' | 'active' | 'completed' | 'failed';

/** Bull's lists and sets that hold the jobs of each contract state. */
export const BULL_STATES_OF: Readonly<Record<JobState, readonly BullState[]>> = {
  scheduled: ['delayed'],
  waiting: ['wait', 'paused'],
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
};

const JOB_STATE_OF: Readonly<Record<BullState, JobState>> = {
  delayed: 'scheduled',
  wait: 'waiting',
  paused: 'waiting',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

export function toJobState(state: BullState | null): JobState {
  return state === null ? 'waiting' : JOB_STATE_OF[state];
}

/** Bull's `getJobCounts()` result (its keys are 'waiting' for the wait list, 'paused', ...) as contract counts. */
export function jobCountsFromBull(counts: Partial<Record<string, number>>): Record<JobState, number> {
  return {
    scheduled: counts.delayed ?? 0,
    waiting: (counts.waiting ?? 0) + (counts.paused ?? 0),
    active: counts.active ?? 0,
    completed: counts.completed ?? 0,
    failed: counts.failed ?? 0,
  };
}

/**
 * A delayed job's due time. Bull scores the delayed set with `dueMs * 0x1000 + counter`
 * (the counter keeps jobs due in the same millisecond in insertion order).
 */
export function dueTimeOfDelayedScore(score: number): Date {
  return new Date(Math.floor(score / 0x1000));
}
