/**
 * Applies count and age retention policies to the finished documents of a name, as
 * the memory and Bull providers do: those that finished `ageMs` or longer ago are
 * deleted, then all but the newest `count` (by `finishedAt`, then `_id`). Agenda has
 * no retention of its own but `removeOnComplete: true`; these are bounded deletes by
 * name, phase and `finishedAt`. Batched by the kit's `RetentionTrims`: removal
 * happens within about 50 ms (the kit's trim delay) of the finish that calls for it,
 * 500 ms when the last trim of the name removed nothing.
 */
import type { Collection } from 'mongodb';
import type { RetentionPolicy } from '@switchyard/core';
import { RetentionTrims } from '@switchyard/core/provider-kit';
import type { AgendaJobDocument } from './agenda-job-document.js';

export class FinishedDocumentTrimmer extends RetentionTrims {
  constructor(
    private readonly jobs: () => Collection<AgendaJobDocument>,
    reportError: (error: unknown) => void,
  ) {
    super((name, phase, policy, now) => this.trimFinished(name, phase, policy, now), reportError);
  }

  private async trimFinished(
    name: string,
    phase: 'completed' | 'failed',
    policy: RetentionPolicy,
    now: number,
  ): Promise<number> {
    const jobs = this.jobs();
    const finished = { name, phase };
    let removed = 0;
    if (policy.ageMs !== null) {
      removed += (await jobs.deleteMany({ ...finished, finishedAt: { $lte: new Date(now - policy.ageMs) } }))
        .deletedCount;
    }
    if (policy.count === null) return removed;
    // The newest document past `count`: it and everything older go.
    const boundary = await jobs
      .find(finished, { projection: { _id: 1, finishedAt: 1 }, sort: { finishedAt: -1, _id: -1 } })
      .skip(policy.count)
      .limit(1)
      .next();
    if (boundary === null || boundary.finishedAt === null) return removed;
    const deleted = await jobs.deleteMany({
      ...finished,
      $or: [
        { finishedAt: { $lt: boundary.finishedAt } },
        { finishedAt: boundary.finishedAt, _id: { $lte: boundary._id } },
      ],
    });
    return removed + deleted.deletedCount;
  }
}
