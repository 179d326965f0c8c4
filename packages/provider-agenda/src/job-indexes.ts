import { MongoServerError, type Collection, type IndexDescription } from 'mongodb';
import type { AgendaJobDocument } from './agenda-job-document.js';

/**
 * The order in which Agenda picks the next job of a name to lock: most urgent
 * priority first (so priorities hold among every due job, not only among jobs due
 * at the same millisecond as with Agenda's default order), then earliest due, then
 * oldest document (ObjectIds grow), which keeps equal priorities first-in first-out.
 */
export const LOCK_ORDER = { priority: -1, nextRunAt: 1, _id: 1 } as const;

/**
 * The order of `listJobs` and `exportJobs`: createdAt, then id. Plain Agenda documents
 * have neither field (they sort first); `_id` orders them among themselves, so that
 * paging with `offset` is stable over them too.
 */
export const LISTING_ORDER = { createdAt: 1, jobId: 1, _id: 1 } as const;

/**
 * Every index the provider's queries use. Agenda's own index creation is switched
 * off (see `SharedDbAgendaBackend`) because it would build one for its default order.
 */
export const JOB_INDEXES: IndexDescription[] = [
  // Idempotent producers: a second insert with the same jobId fails, under any name.
  // Partial: only documents with a Switchyard id are in it, so plain Agenda jobs (which
  // have none) can share the collection, as many as their producers add. Keyed
  // descending so that it can be built while the earlier non-partial `{ jobId: 1 }`
  // index still exists (no MongoDB version allows two indexes on one key pattern that
  // differ only in their partial filter and name): uniqueness never lapses while the
  // earlier index is replaced (see `ensureJobIndexes`).
  {
    key: { jobId: -1 },
    name: 'switchyard_unique_job_id',
    unique: true,
    partialFilterExpression: { jobId: { $type: 'string' } },
  },
  // Agenda's poll: { name, disabled, lockedAt / nextRunAt } sorted by LOCK_ORDER.
  { key: { name: 1, ...LOCK_ORDER }, name: 'switchyard_lock_order' },
  // getStats(name), listJobs / exportJobs by name and state.
  { key: { name: 1, phase: 1, nextRunAt: 1 }, name: 'switchyard_name_phase_due' },
  // getStats() over every name, listJobs by state only.
  { key: { phase: 1, nextRunAt: 1 }, name: 'switchyard_phase_due' },
  // clean(): finished jobs by age.
  { key: { phase: 1, finishedAt: 1 }, name: 'switchyard_phase_finished' },
  // Retention trims: the finished jobs of one name by finish time (finished-document-trimmer.ts).
  { key: { name: 1, phase: 1, finishedAt: 1, _id: 1 }, name: 'switchyard_name_phase_finished' },
  // listJobs / exportJobs order.
  { key: { ...LISTING_ORDER }, name: 'switchyard_listing_order' },
];

/**
 * Indexes earlier versions of the provider made, dropped once their replacements exist:
 * - `switchyard_job_id`, `{ jobId: 1 }` unique over every document: it refused a second
 *   document without a jobId, so a collection holding two plain Agenda jobs could not
 *   be connected to, and once it existed a plain Agenda producer could add only one job;
 * - `switchyard_created`, `{ createdAt: 1, jobId: 1 }`: the listing order before `_id`
 *   was added to it.
 */
export const LEGACY_INDEX_NAMES = ['switchyard_job_id', 'switchyard_created'] as const;

/** MongoDB's code for dropping an index that is not there (another process dropped it first). */
const INDEX_NOT_FOUND = 27;

/**
 * Creates the provider's indexes, then drops the legacy ones: new before old, so that
 * a jobId stays unique throughout, and several providers connecting at once all succeed.
 */
export async function ensureJobIndexes(collection: Collection<AgendaJobDocument>): Promise<void> {
  await collection.createIndexes(JOB_INDEXES);
  const existing = new Set(
    (await collection.listIndexes().toArray()).map((index: { name?: unknown }) => String(index.name)),
  );
  for (const name of LEGACY_INDEX_NAMES) {
    if (!existing.has(name)) continue;
    await collection.dropIndex(name).catch((error: unknown) => {
      if (!(error instanceof MongoServerError && error.code === INDEX_NOT_FOUND)) throw error;
    });
  }
}
