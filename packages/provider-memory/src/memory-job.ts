import {
  JOB_STATES,
  type BackoffOptions,
  type JobInfo,
  type JobSnapshot,
  type JobState,
  type RepeatOptions,
  type RetentionPolicy,
  type ValidatedSchedule,
  snapshotRetention,
} from '@switchyard/core';
import type { DueItem } from './due-timers.js';

/**
 * One job as the memory provider keeps it: the contract's fields plus its bookkeeping.
 *
 * Kept lean, because a migration may bring in 100,000 jobs at once: instants are epoch
 * milliseconds, not `Date`s (a `Date` takes about 100 bytes, a number at most 16), and
 * `toJobInfo` makes the `Date`s when a caller asks. Optional fields are absent, not
 * `undefined`, until they have a value; `dueTicket` is the exception, as most stored jobs
 * are scheduled and a field always present is cheaper than one added later.
 */
export interface MemoryJob extends DueItem {
  id: string;
  /** The string the job's NameQueue holds, shared by all the jobs of that name. */
  name: string;
  data: unknown;
  state: JobState;
  /** Epoch ms the job is due; null once it has finished. */
  runAt: number | null;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; null until the job has finished. */
  finishedAt: number | null;
  priority: number;
  attemptsMade: number;
  maxAttempts: number;
  progress: number;
  /** Policies are shared objects (the provider's default, or the schedule's), not copies per job. */
  removeOnComplete: RetentionPolicy;
  removeOnFail: RetentionPolicy;
  /** Insertion order, so that equal priorities run first-in first-out. */
  sequence: number;
  result?: unknown;
  failedReason?: string;
  repeat?: RepeatOptions;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  /** A repeating job cancelled while its occurrence ran: do not schedule another. */
  cancelled?: boolean;
}

/** A copy the caller may keep and mutate without touching the provider's state. */
export function toJobInfo<T>(job: MemoryJob): JobInfo<T> {
  return {
    id: job.id,
    name: job.name,
    data: structuredClone(job.data) as T,
    state: job.state,
    runAt: job.runAt === null ? null : new Date(job.runAt),
    createdAt: new Date(job.createdAt),
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt),
    priority: job.priority,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.maxAttempts,
    progress: job.progress,
    ...(job.result === undefined ? {} : { result: structuredClone(job.result) }),
    ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
    ...(job.repeat === undefined ? {} : { repeat: { ...job.repeat } }),
    ...(job.backoff === undefined ? {} : { backoff: { ...job.backoff } }),
    ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
  };
}

/** Oldest first, then by id: the order of core's `compareByCreation`, on stored jobs. */
export function compareJobsByCreation(a: MemoryJob, b: MemoryJob): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A new job from a validated schedule, `waiting` until the provider makes it due at
 * `runAt`. `name` is the name's shared string (see `MemoryJob.name`).
 */
export function memoryJobFromSchedule(
  schedule: ValidatedSchedule,
  fields: { id: string; name: string; runAt: number; createdAt: number; sequence: number },
): MemoryJob {
  // Every field written out, in the order `memoryJobFromSnapshot` writes them: one object
  // shape for every job (a spread of `fields` made a shape of its own and cost a quarter
  // of the provider's time per job in the throughput benchmark).
  const job: MemoryJob = {
    id: fields.id,
    name: fields.name,
    data: structuredClone(schedule.data ?? null),
    state: 'waiting',
    runAt: fields.runAt,
    createdAt: fields.createdAt,
    finishedAt: null,
    priority: schedule.priority,
    attemptsMade: 0,
    maxAttempts: schedule.attempts,
    progress: 0,
    removeOnComplete: schedule.removeOnComplete,
    removeOnFail: schedule.removeOnFail,
    sequence: fields.sequence,
    dueTicket: undefined,
  };
  if (schedule.backoff !== undefined) job.backoff = schedule.backoff;
  if (schedule.timeoutMs !== undefined) job.timeoutMs = schedule.timeoutMs;
  if (schedule.repeat !== undefined) job.repeat = schedule.repeat;
  return job;
}

/** An imported job, as the snapshot says; a finished one is taken to have finished at `now` (snapshots do not say when). */
export function memoryJobFromSnapshot(
  snapshot: JobSnapshot,
  fields: { name: string; now: number; sequence: number },
): MemoryJob {
  const finished = snapshot.state === 'completed' || snapshot.state === 'failed';
  const { removeOnComplete, removeOnFail } = snapshotRetention(snapshot);
  const job: MemoryJob = {
    id: snapshot.id,
    name: fields.name,
    data: structuredClone(snapshot.data ?? null),
    // The constant, not the snapshot's own copy of the word, which would be kept per job.
    state: JOB_STATES.find((state) => state === snapshot.state)!,
    runAt: snapshot.runAt === null ? null : Date.parse(snapshot.runAt),
    createdAt: Date.parse(snapshot.createdAt),
    finishedAt: finished ? fields.now : null,
    priority: snapshot.priority,
    attemptsMade: snapshot.attemptsMade,
    maxAttempts: snapshot.attempts,
    progress: snapshot.state === 'completed' ? 100 : 0,
    removeOnComplete,
    removeOnFail,
    sequence: fields.sequence,
    dueTicket: undefined,
  };
  if (snapshot.failedReason !== undefined) job.failedReason = snapshot.failedReason;
  if (snapshot.backoff !== null) job.backoff = snapshot.backoff;
  if (snapshot.timeoutMs !== null) job.timeoutMs = snapshot.timeoutMs;
  if (snapshot.repeat !== null) job.repeat = snapshot.repeat;
  return job;
}
