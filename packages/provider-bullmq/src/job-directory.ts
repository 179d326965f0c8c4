/**
 * Which job name holds a job id, across every name of one provider.
 *
 * BullMQ's ids are unique per queue, and a queue here is one job name, but the
 * contract's ids are unique per provider and `getJob`, `cancelJob` and `retryJob` get
 * an id without a name. So every id is claimed here *before* its BullMQ job is added:
 * of two producers (in any processes) scheduling one id, only the one whose claim
 * succeeds adds a job. Implementers must make `claim` atomic on the backend (Redis:
 * HSETNX; PostgreSQL: INSERT ... ON CONFLICT DO NOTHING).
 *
 * A directory may leave generated ids unclaimed (`claimsGeneratedIds` false): the job
 * of such an id is then held by its BullMQ job alone, and `nameOf` and `claim` look for
 * it under the names `noteName` recorded.
 */
export interface JobDirectory {
  /** False when a one-off job with a generated id is added with no claim (see above). */
  readonly claimsGeneratedIds: boolean;
  /** Records a name whose jobs may have unclaimed ids, before the first such job is added. */
  noteName(name: string): Promise<void>;
  /** Creates what the directory needs on the backend (tables); idempotent. */
  prepare(): Promise<void>;
  /** Claims each id for its name; the ids that were free (and are now claimed). */
  claim(entries: readonly { id: string; name: string }[]): Promise<Set<string>>;
  /** Sets an id's name whether or not it was claimed (import with `onExisting: 'replace'`). */
  overwrite(id: string, name: string): Promise<void>;
  /** The name holding `id`, or null. */
  nameOf(id: string): Promise<string | null>;
  release(ids: readonly string[]): Promise<void>;
  /** Every name a job was ever scheduled under. */
  names(): Promise<string[]>;
}
