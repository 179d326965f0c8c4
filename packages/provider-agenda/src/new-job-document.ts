import { snapshotRetention, type JobSnapshot, type ValidatedSchedule } from '@switchyard/core';
import type { JobPhase, NewAgendaJobDocument } from './agenda-job-document.js';
import { toAgendaPriority } from './agenda-priority.js';
import { retentionFields } from './document-retention.js';
import { firstRepeatRun, toAgendaRepeat } from './repeat-schedule.js';

/**
 * Agenda's fields of a job nobody has run yet, with `null` where Agenda itself would
 * write null. The callers add theirs with `Object.assign`: an object literal that
 * spreads these first and then adds a dozen keys of its own took V8 about 16 µs to
 * build, a tenth of the process's CPU per job on enqueue; assigned, it takes 1 µs.
 */
function agendaFields(name: string, priority: number, nextRunAt: Date | null, disabled: boolean) {
  return {
    name,
    priority: toAgendaPriority(priority),
    nextRunAt,
    type: 'normal' as const,
    lockedAt: null,
    lastRunAt: null,
    lastFinishedAt: null,
    failedAt: null,
    failCount: null,
    failReason: null,
    repeatInterval: null,
    repeatTimezone: null,
    disabled,
    progress: null,
    lastModifiedBy: null,
  };
}

/**
 * The document for a validated `scheduleJob` call. `disabled` says whether its name
 * is paused right now. A repeating job is due at its first occurrence.
 */
export function newJobDocument(
  schedule: ValidatedSchedule,
  jobId: string,
  now: Date,
  disabled: boolean,
): NewAgendaJobDocument {
  const repeat = schedule.repeat ?? null;
  const nextRunAt = repeat === null ? schedule.runAt : firstRepeatRun(repeat, now);
  return Object.assign(agendaFields(schedule.name, schedule.priority, nextRunAt, disabled), {
    ...(repeat === null ? {} : toAgendaRepeat(repeat)),
    data: asStoredData(schedule.data),
    jobId,
    phase: 'pending' as const,
    createdAt: now,
    attempts: schedule.attempts,
    attemptsMade: 0,
    backoff: schedule.backoff ?? null,
    timeoutMs: schedule.timeoutMs ?? null,
    repeat,
    finishedAt: null,
    ...retentionFields(schedule),
  });
}

/**
 * The data as JSON would keep it, the same as Bull stores it: the BSON serializer would
 * write an `undefined` property as `null` instead of leaving it out, so a job read
 * back would carry a key its caller never set.
 */
function asStoredData(data: unknown): unknown {
  return data === undefined ? null : (JSON.parse(JSON.stringify(data)) as unknown);
}

const PHASE_OF_SNAPSHOT_STATE: Record<Exclude<JobSnapshot['state'], 'active'>, JobPhase> = {
  scheduled: 'pending',
  waiting: 'pending',
  completed: 'completed',
  failed: 'failed',
};

/**
 * The document for an imported snapshot (already validated, and not `active`). A
 * snapshot does not say when a finished job finished, so the import time stands in;
 * an unfinished one without runAt is due now (or at its first occurrence).
 */
export function documentFromSnapshot(snapshot: JobSnapshot, now: Date, disabled: boolean): NewAgendaJobDocument {
  if (snapshot.state === 'active') throw new Error('an active job is running elsewhere and cannot be imported');
  const phase = PHASE_OF_SNAPSHOT_STATE[snapshot.state];
  const finished = phase === 'completed' || phase === 'failed';
  const repeat = snapshot.repeat;
  const nextRunAt = finished
    ? null
    : snapshot.runAt !== null
      ? new Date(snapshot.runAt)
      : repeat === null
        ? now
        : firstRepeatRun(repeat, now);
  return Object.assign(agendaFields(snapshot.name, snapshot.priority, nextRunAt, disabled), {
    ...(repeat === null ? {} : toAgendaRepeat(repeat)),
    data: snapshot.data ?? null,
    progress: phase === 'completed' ? 100 : null,
    jobId: snapshot.id,
    phase,
    createdAt: new Date(snapshot.createdAt),
    attempts: snapshot.attempts,
    attemptsMade: snapshot.attemptsMade,
    backoff: snapshot.backoff,
    timeoutMs: snapshot.timeoutMs,
    repeat,
    ...(snapshot.failedReason === undefined ? {} : { failedReason: snapshot.failedReason }),
    finishedAt: finished ? now : null,
    ...retentionFields(snapshotRetention(snapshot)),
  });
}

/** What `retryJob` sets on a failed job: due now, with fresh attempts. */
export function retriedJobFields(now: Date) {
  return {
    phase: 'pending',
    nextRunAt: now,
    attemptsMade: 0,
    progress: null,
    finishedAt: null,
    failedReason: null,
  } as const;
}
