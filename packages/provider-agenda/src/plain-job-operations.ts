import type { Collection } from 'mongodb';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { plainJobFilter, plainStateFilter } from './plain-agenda-job.js';

/**
 * `getJob`, `cancelJob` and `retryJob` on plain Agenda jobs (see `plain-agenda-job.ts`),
 * found by their ObjectId. The provider asks these only after no Switchyard job had the
 * id, and only for ids of 24 hex characters, so Switchyard's own jobs pay nothing.
 * Each writes Agenda's fields only, as plain Agenda's own calls would.
 */
export const plainJobOperations = {
  async find(jobs: Collection<AgendaJobDocument>, jobId: string): Promise<AgendaJobDocument | null> {
    const filter = plainJobFilter(jobId);
    return filter === undefined ? null : jobs.findOne(filter);
  },

  /** Removes the job unless it is running (`agenda.cancel` would remove it even then). */
  async cancel(jobs: Collection<AgendaJobDocument>, jobId: string): Promise<boolean> {
    const filter = plainJobFilter(jobId);
    if (filter === undefined) return false;
    const removed = await jobs.deleteOne({ $and: [filter, { $nor: [plainStateFilter('active', new Date())] }] });
    return removed.deletedCount === 1;
  },

  /** A failed one-off job due again now, its failures forgotten, as a fresh `job.schedule('now')` would leave it. */
  async retry(jobs: Collection<AgendaJobDocument>, jobId: string, now: Date): Promise<AgendaJobDocument | null> {
    const filter = plainJobFilter(jobId);
    if (filter === undefined) return null;
    return jobs.findOneAndUpdate(
      { $and: [filter, plainStateFilter('failed', now)] },
      { $set: { nextRunAt: now, lockedAt: null, failCount: null, failReason: null, failedAt: null } },
      { returnDocument: 'after' },
    );
  },

  /** True when a plain job holds this id: scheduling it is then the usual no-op. */
  async holds(jobs: Collection<AgendaJobDocument>, jobId: string): Promise<boolean> {
    const filter = plainJobFilter(jobId);
    return filter !== undefined && (await jobs.countDocuments(filter, { limit: 1 })) === 1;
  },
};
