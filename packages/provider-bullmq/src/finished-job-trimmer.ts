/**
 * Applies count and age retention policies to the finished jobs of a BullMQ queue, as
 * the Bull provider's trimmer does: jobs finished `ageMs` or longer ago go, then all
 * but the newest `count`; the ids the job directory held for them are freed. Batched
 * by the kit's `RetentionTrims`: removal happens within about 50 ms of the finish that
 * calls for it (500 ms when the name's last trim removed nothing).
 *
 * Why not BullMQ's own `{ age, count }`: on PostgreSQL it trims in the transaction
 * that finishes each job, and workers finishing jobs of one queue at concurrency 50
 * deadlocked there (`move_to_completed` → `apply_retention`, SQLSTATE 40P01; the bench
 * saw it in 1 run of 12 for the provider, 4 of 15 for raw BullMQ). A finish that fails so
 * leaves its job active until its lock expires, and then runs it again. A trim of its
 * own that meets a deadlock fails alone and is made again at the next finish. And
 * BullMQ's trims leave the ids of the jobs they remove taken in the directory.
 *
 * The deletes are BullMQ's `clean`, by finish time on either backend and never more than
 * the jobs past the count: everything finished before the newest `count`'s oldest
 * finish time, then, one by one, the jobs that finished in that same millisecond
 * beyond the count.
 */
import type { Queue } from 'bullmq';
import type { RetentionPolicy } from '@switchyard/core';
import { RetentionTrims } from '@switchyard/core/provider-kit';
import { fromBullMQJobId } from './bullmq-job-id.js';
import type { JobDirectory } from './job-directory.js';

export type FinishedState = 'completed' | 'failed';

export class FinishedJobTrimmer extends RetentionTrims {
  constructor(
    private readonly queueFor: (name: string) => Queue,
    private readonly directory: () => JobDirectory,
    reportError: (error: unknown) => void,
  ) {
    super((name, state, policy, now) => this.trimFinished(name, state, policy, now), reportError);
  }

  private async trimFinished(
    name: string,
    state: FinishedState,
    policy: RetentionPolicy,
    now: number,
  ): Promise<number> {
    const queue = this.queueFor(name);
    const removed: string[] = [];
    if (policy.ageMs !== null)
      removed.push(...(await queue.clean(Math.max(0, Date.now() - (now - policy.ageMs)), 0, state)));
    if (policy.count !== null) removed.push(...(await this.keepNewest(queue, state, policy.count)));
    if (removed.length > 0) await this.directory().release(removed.map(fromBullMQJobId));
    return removed.length;
  }

  /** Removes all but the newest `count` finished jobs of `queue` in `state`; returns their BullMQ ids. */
  private async keepNewest(queue: Queue, state: FinishedState, count: number): Promise<string[]> {
    // Newest first, on Redis (the finished set's scores) and PostgreSQL (`finished_at_ms`) alike.
    const excess = (await queue.getJobCountByTypes(state)) - count;
    if (excess <= 0) return [];
    const [boundaryId] = await queue.getRanges([state], count, count, false);
    if (boundaryId === undefined) return [];
    const boundary = await queue.getJob(boundaryId);
    if (boundary?.finishedOn === undefined) return [];
    // `clean` removes what finished at or before `Date.now() - grace`, read again inside
    // it: a millisecond that passes in between lets in jobs finished at the boundary or
    // after, so it is also held to the count of jobs past the newest `count`.
    const removed = await queue.clean(Math.max(0, Date.now() - (boundary.finishedOn - 1)), excess, state);
    // The boundary, and any job past the count that finished in its millisecond.
    for (const id of await queue.getRanges([state], count, -1, false)) {
      if ((await queue.remove(id)) === 1) removed.push(id);
    }
    return removed;
  }
}
