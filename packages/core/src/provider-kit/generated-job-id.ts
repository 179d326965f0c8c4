import { randomUUID } from 'node:crypto';

/**
 * The ids a provider gives one-off jobs scheduled without a `jobId`: random UUIDs.
 *
 * No other job can hold a fresh one, so a provider whose ids are unique per job name
 * on its backend (a Bull or BullMQ queue per name) need not claim it in a directory of
 * its own, which would cost a round trip per job. Such a job is then found by looking
 * for it under each name, and a caller who schedules an id of this shape (say, one the
 * provider handed out, under another name) must be checked against those names too:
 * `mayBeGeneratedJobId` says when.
 */
const GENERATED_JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newJobId(): string {
  return randomUUID();
}

/** True when `id` has the shape of a `newJobId` id (a caller may have chosen it too). */
export function mayBeGeneratedJobId(id: string): boolean {
  return GENERATED_JOB_ID.test(id);
}
