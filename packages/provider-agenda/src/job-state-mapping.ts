/**
 * Agenda's life of a job document, and the `JobState` Switchyard reports for each
 * stage. Agenda keeps timestamps (`nextRunAt`, `lockedAt`, `lastRunAt`, ...) and no
 * state; it cannot tell a job that is locked and waiting for its timer from one that
 * runs. So the provider keeps a `phase` of its own, written as an attempt starts and
 * ends (in the same writes as Agenda's own saves at those moments, see
 * `AgendaStateSaves`), and the state is `phase` plus `nextRunAt` against the clock:
 *
 * ```
 *  scheduleJob / importJobs: insert { phase: pending, nextRunAt: runAt, lockedAt: null }
 *        │
 *        ▼
 *  pending, nextRunAt > now ···································· scheduled
 *        │ (time passes; a paused name's jobs are `disabled`, so Agenda skips them)
 *        ▼
 *  pending, nextRunAt <= now ··································· waiting
 *        │ Agenda's poll (every processEvery) or a wake-up: findOneAndUpdate
 *        │ sets lockedAt (jobs due within the next processEvery are locked early
 *        │ and started by a local timer: still scheduled / waiting)
 *        ▼
 *  Job.run() saves lastRunAt = now, nextRunAt = next repeat (or null),
 *  and in the same write the claim: phase active ··················· active
 *        │ (heartbeat: job.touch() renews lockedAt every lockLifetime / 3)
 *        ├── returned ──────────▶ phase completed, nextRunAt null ········ completed
 *        │                        (removeOnComplete: document deleted)
 *        │                        (repeating: phase pending, nextRunAt = next occurrence,
 *        │                         fresh attempts ······················· scheduled)
 *        ├── threw, attempts left ▶ phase pending, nextRunAt = now + backoff · scheduled
 *        ├── threw, last attempt ─▶ phase failed, nextRunAt null ·········· failed
 *        │                        (repeating: next occurrence as above ··· scheduled)
 *        │                        retryJob: phase pending, nextRunAt = now · waiting
 *        └── worker died ─────────▶ lockedAt is not renewed; after lockLifetime any
 *                                   worker's poll re-locks it, finds phase still
 *                                   active: 'stalled', and the attempt runs again
 *  Each outcome is written with Agenda's save of its own fields (lockedAt = null,
 *  lastFinishedAt, failCount, ...) as it lets go of the job.
 * ```
 *
 * While a one-off job runs, Agenda has already set `nextRunAt` to null (it does so
 * before calling the handler), so an active job reports `runAt: null`; a repeating
 * one reports its next occurrence.
 */
import type { Filter } from 'mongodb';
import { JOB_STATES, type JobInfo, type JobState } from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { fromAgendaPriority } from './agenda-priority.js';
import {
  isPlainAgendaDocument,
  plainFinishedBefore,
  plainJobInfo,
  plainJobStateOf,
  plainStateFilter,
} from './plain-agenda-job.js';
import { fromResultJson } from './stored-result.js';

/** The `JobState` of a stored job at `now`. */
export function jobStateOf(
  doc: Pick<AgendaJobDocument, 'phase' | 'nextRunAt' | 'lockedAt' | 'failCount'>,
  now: Date,
): JobState {
  if (isPlainAgendaDocument(doc)) return plainJobStateOf(doc, now);
  switch (doc.phase) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      // Pending without nextRunAt: a plain Agenda worker started it (without Switchyard's
      // claim), and Agenda's fields tell how far it got (see `plain-agenda-job.ts`).
      if (!(doc.nextRunAt instanceof Date)) return plainJobStateOf(doc, now);
      return doc.nextRunAt.getTime() > now.getTime() ? 'scheduled' : 'waiting';
  }
}

/**
 * The MongoDB filter for jobs in one `JobState` at `now`: the same rule as
 * `jobStateOf`, in a form the `{ name, phase, nextRunAt }` and `{ phase, nextRunAt }`
 * indexes serve (plain Agenda documents are those with a null `phase`).
 */
export function stateFilter(state: JobState, now: Date): Filter<AgendaJobDocument> {
  return { $or: [switchyardStateFilter(state, now), plainStateFilter(state, now)] };
}

function switchyardStateFilter(state: JobState, now: Date): Filter<AgendaJobDocument> {
  switch (state) {
    case 'scheduled':
      return { phase: 'pending', nextRunAt: { $gt: now } };
    case 'waiting':
      return { phase: 'pending', nextRunAt: { $lte: now } };
    default:
      return { phase: state };
  }
}

/** Jobs of the given names (null = every name) in any of the given states. */
export function jobsFilter(names: string[] | null, states: readonly JobState[], now: Date): Filter<AgendaJobDocument> {
  const byState =
    states.length === 1 ? stateFilter(states[0]!, now) : { $or: states.map((state) => stateFilter(state, now)) };
  return names === null ? byState : { name: { $in: names }, ...byState };
}

/** What a caller sees of a stored job. Every object in it is fresh, so callers may keep and change it. */
export function toJobInfo<T = unknown>(doc: AgendaJobDocument, now: Date): JobInfo<T> {
  if (isPlainAgendaDocument(doc)) return plainJobInfo(doc, now);
  const state = jobStateOf(doc, now);
  const finished = state === 'completed' || state === 'failed';
  const result = fromResultJson(doc.resultJson);
  return {
    id: doc.jobId,
    name: doc.name,
    data: (doc.data ?? null) as T,
    state,
    runAt: finished || !(doc.nextRunAt instanceof Date) ? null : new Date(doc.nextRunAt),
    createdAt: new Date(doc.createdAt),
    finishedAt: finishedAtOf(doc, finished),
    priority: fromAgendaPriority(doc.priority),
    attemptsMade: doc.attemptsMade,
    maxAttempts: doc.attempts,
    progress: typeof doc.progress === 'number' ? doc.progress : 0,
    ...(result === undefined ? {} : { result }),
    ...(typeof doc.failedReason === 'string' ? { failedReason: doc.failedReason } : {}),
    ...(doc.repeat ? { repeat: { ...doc.repeat } } : {}),
    ...(doc.backoff ? { backoff: { ...doc.backoff } } : {}),
    ...(typeof doc.timeoutMs === 'number' ? { timeoutMs: doc.timeoutMs } : {}),
  };
}

/** The MongoDB filter of a listing or an export. */
export function listingFilter(names: string[] | null, states: JobState[], now: Date) {
  // Every state asked for: no need to spell the state rule out.
  const everyState = JOB_STATES.every((state) => states.includes(state));
  return everyState ? (names === null ? {} : { name: { $in: names } }) : jobsFilter(names, states, now);
}

/** The jobs `clean()` removes: finished in one of `states`, at or before `cutoff`. */
export function finishedBefore(states: ('completed' | 'failed')[], cutoff: Date): Filter<AgendaJobDocument> {
  return { $or: [{ phase: { $in: states }, finishedAt: { $lte: cutoff } }, plainFinishedBefore(states, cutoff)] };
}

/** When a finished job finished: Switchyard's field, or Agenda's when a plain Agenda worker ran it. */
function finishedAtOf(doc: AgendaJobDocument, finished: boolean): Date | null {
  if (doc.finishedAt instanceof Date) return new Date(doc.finishedAt);
  return finished && doc.lastFinishedAt instanceof Date ? new Date(doc.lastFinishedAt) : null;
}
