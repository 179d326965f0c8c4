import type { Collection, IndexDescription } from 'mongodb';
import type { AgendaJobDocument } from './agenda-job-document.js';

/**
 * The order in which Agenda picks the next job of a name to lock: most urgent
 * priority first (so priorities hold among every due job, not only among jobs due
 * at the same millisecond as with Agenda's default order), then earliest due, then
 * oldest document (ObjectIds grow), which keeps equal priorities first-in first-out.
 */
export const LOCK_ORDER = { priority: -1, nextRunAt: 1, _id: 1 } as const;

/**
 * Every index the provider's queries use. Agenda's own index creation is switched
 * off (see `SharedDbAgendaBackend`) because it would build one for its default order.
 */
export const JOB_INDEXES: IndexDescription[] = [
  // Idempotent producers: a second insert with the same jobId fails, under any name.
  { key: { jobId: 1 }, name: 'switchyard_job_id', unique: true },
  // Agenda's poll: { name, disabled, lockedAt / nextRunAt } sorted by LOCK_ORDER.
  { key: { name: 1, ...LOCK_ORDER }, name: 'switchyard_lock_order' },
  // getStats(name), listJobs / exportJobs by name and state.
  { key: { name: 1, phase: 1, nextRunAt: 1 }, name: 'switchyard_name_phase_due' },
  // getStats() over every name, listJobs by state only.
  { key: { phase: 1, nextRunAt: 1 }, name: 'switchyard_phase_due' },
  // clean(): finished jobs by age.
  { key: { phase: 1, finishedAt: 1 }, name: 'switchyard_phase_finished' },
  // listJobs / exportJobs order: createdAt, then id.
  { key: { createdAt: 1, jobId: 1 }, name: 'switchyard_created' },
];

export async function ensureJobIndexes(collection: Collection<AgendaJobDocument>): Promise<void> {
  await collection.createIndexes(JOB_INDEXES);
}
