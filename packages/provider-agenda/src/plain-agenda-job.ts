import humanInterval from 'human-interval';
import { ObjectId, type Filter } from 'mongodb';
import { assertValidCron, type JobInfo, type JobState, type RepeatOptions } from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { fromAgendaPriority } from './agenda-priority.js';

/**
 * Jobs plain Agenda code wrote (`agenda.now`, `schedule`, `every`, `create().save()`)
 * into the collection the provider uses. They carry Agenda's fields only: no Switchyard
 * id, no `phase`. The provider never writes its own fields into them, so plain Agenda
 * producers and workers keep reading and writing them as before; it derives their
 * `JobState` from Agenda's timestamps:
 *
 * ```
 *  lockedAt set, nextRunAt null ················ active    (a one-off job Agenda started)
 *  nextRunAt null, failCount > 0 ··············· failed    (its last run threw)
 *  nextRunAt null, otherwise ··················· completed (ran, or was never scheduled)
 *  nextRunAt > now ····························· scheduled (a repeating job shows its next
 *                                                           occurrence, also while it runs)
 *  nextRunAt <= now ···························· waiting
 * ```
 *
 * Their id is their ObjectId as 24 hex characters. A Switchyard job whose caller's id
 * happens to be the same text wins every lookup; scheduling such an id while a plain
 * job holds it is the usual no-op.
 */

/** The filter of every plain Agenda document: every document Switchyard writes has a `phase`. */
export const PLAIN_AGENDA_DOCUMENT = { phase: null } as const;

/**
 * The documents, among those without `nextRunAt`, whose state only Agenda's fields tell:
 * plain ones, and Switchyard's own `pending` ones, which only a plain Agenda worker can
 * have started (it writes Agenda's fields, never `phase`). So a Switchyard job a plain
 * worker ran shows as that worker left it: active, completed or failed.
 */
const RUN_BY_AGENDA_ALONE = { phase: { $in: [null, 'pending'] } } as const;

export function isPlainAgendaDocument(doc: Pick<AgendaJobDocument, 'phase'>): boolean {
  return doc.phase === undefined || doc.phase === null;
}

/** The `_id` of the plain job with this id, if the id can be one. */
export function plainJobObjectId(jobId: string): ObjectId | undefined {
  return /^[0-9a-f]{24}$/.test(jobId) ? ObjectId.createFromHexString(jobId) : undefined;
}

/** The filter of the plain job with this id; undefined when the id cannot be a plain job's. */
export function plainJobFilter(jobId: string): Filter<AgendaJobDocument> | undefined {
  const _id = plainJobObjectId(jobId);
  return _id === undefined ? undefined : { _id, ...PLAIN_AGENDA_DOCUMENT };
}

/** The `JobState` of a plain Agenda document at `now`, by the table above. */
export function plainJobStateOf(
  doc: Pick<AgendaJobDocument, 'nextRunAt' | 'lockedAt' | 'failCount'>,
  now: Date,
): JobState {
  if (!(doc.nextRunAt instanceof Date)) {
    if (doc.lockedAt instanceof Date) return 'active';
    return (doc.failCount ?? 0) > 0 ? 'failed' : 'completed';
  }
  return doc.nextRunAt.getTime() > now.getTime() ? 'scheduled' : 'waiting';
}

/**
 * The MongoDB filter of the plain documents in `state` at `now`: the same table as a
 * query (and, for active, completed and failed, Switchyard's pending jobs a plain
 * worker ran: see `RUN_BY_AGENDA_ALONE`).
 */
export function plainStateFilter(state: JobState, now: Date): Filter<AgendaJobDocument> {
  switch (state) {
    case 'active':
      return { ...RUN_BY_AGENDA_ALONE, nextRunAt: null, lockedAt: { $ne: null } };
    case 'failed':
      return { ...RUN_BY_AGENDA_ALONE, nextRunAt: null, lockedAt: null, failCount: { $gt: 0 } };
    case 'completed':
      return { ...RUN_BY_AGENDA_ALONE, nextRunAt: null, lockedAt: null, failCount: { $not: { $gt: 0 } } };
    case 'scheduled':
      return { ...PLAIN_AGENDA_DOCUMENT, nextRunAt: { $gt: now } };
    case 'waiting':
      return { ...PLAIN_AGENDA_DOCUMENT, nextRunAt: { $lte: now } };
  }
}

/** The plain documents `clean()` removes: finished in one of `states`, at or before `cutoff`. */
export function plainFinishedBefore(
  states: readonly ('completed' | 'failed')[],
  cutoff: Date,
): Filter<AgendaJobDocument> {
  return { $or: states.map((state) => plainStateFilter(state, cutoff)), lastFinishedAt: { $lte: cutoff } };
}

/**
 * What a caller sees of a plain Agenda job. Agenda counts failures, not attempts, and
 * resets the count when a run succeeds: a completed job shows one attempt made, any
 * other the failures so far. Plain Agenda runs a job once unless its definition has a
 * backoff, which lives in the worker's code, not in the document: `maxAttempts` is
 * never below the attempts made.
 */
export function plainJobInfo<T = unknown>(doc: AgendaJobDocument, now: Date): JobInfo<T> {
  const state = plainJobStateOf(doc, now);
  const finished = state === 'completed' || state === 'failed';
  const failures = typeof doc.failCount === 'number' && doc.failCount > 0 ? doc.failCount : 0;
  const attemptsMade = state === 'completed' ? 1 : failures;
  const repeat = plainRepeat(doc);
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    data: (doc.data ?? null) as T,
    state,
    runAt: finished || !(doc.nextRunAt instanceof Date) ? null : new Date(doc.nextRunAt),
    createdAt: doc._id.getTimestamp(),
    finishedAt: finished && doc.lastFinishedAt instanceof Date ? new Date(doc.lastFinishedAt) : null,
    priority: fromAgendaPriority(doc.priority),
    attemptsMade,
    maxAttempts: Math.max(1, attemptsMade),
    progress: typeof doc.progress === 'number' ? doc.progress : 0,
    ...(failures > 0 && state !== 'completed' && typeof doc.failReason === 'string'
      ? { failedReason: doc.failReason }
      : {}),
    ...(repeat === undefined ? {} : { repeat }),
  };
}

/**
 * Agenda's `repeatInterval` as a Switchyard repeat, read the way Agenda reads it
 * (its `utils/nextRunAt.js`): a number or numeric string is milliseconds, then a cron
 * expression, then a human interval (`'5 minutes'`). One Agenda's parsers cannot read
 * is left out: Agenda itself cannot repeat it. Agenda reads a cron expression without
 * `repeatTimezone` in its process's time zone, Switchyard in UTC: this process's zone
 * is spelled out (run the migration where the plain workers ran).
 */
export function plainRepeat(
  doc: Pick<AgendaJobDocument, 'repeatInterval' | 'repeatTimezone'>,
): RepeatOptions | undefined {
  const interval = doc.repeatInterval;
  if (typeof interval === 'number') return { everyMs: interval };
  if (typeof interval !== 'string' || interval.trim() === '') return undefined;
  if (Number.isFinite(Number(interval))) return { everyMs: Number(interval) };
  const tz =
    typeof doc.repeatTimezone === 'string' && doc.repeatTimezone !== ''
      ? doc.repeatTimezone
      : Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    assertValidCron(interval, tz);
    return { cron: interval, tz };
  } catch {
    const everyMs = humanInterval(interval);
    return typeof everyMs === 'number' && Number.isFinite(everyMs) ? { everyMs } : undefined;
  }
}
