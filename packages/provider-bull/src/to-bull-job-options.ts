/**
 * Contract schedules and snapshots as Bull job options, and back.
 *
 * Everything maps onto a native Bull option, so Bull's own tools (Arena, bull-board,
 * `queue.getJob`) show the job as it is:
 *
 * | contract            | Bull                                                      |
 * |---------------------|-----------------------------------------------------------|
 * | jobId               | `jobId`, encoded where Bull would mistake it (`toBullJobId`), |
 * |                     | the caller's id then kept in `switchyardId`               |
 * | createdAt           | `timestamp`                                               |
 * | runAt               | `delay` (= runAt - timestamp)                             |
 * | priority 1..10      | `priority` (Bull: 1 is the highest too)                   |
 * | attempts            | `attempts`                                                |
 * | backoff             | `backoff: { type: 'switchyard', options: <BackoffOptions> }`, |
 * |                     | computed by the custom strategy with `computeBackoffDelay` |
 * | timeoutMs           | `timeout`                                                 |
 * | repeat              | `repeat: { every } | { cron, tz }` (series kept whole)     |
 * | removeOnComplete    | `removeOnComplete: true` to keep none; a count or age in   |
 * | removeOnFail        | `keepCompleted` / `keepFailed` (see `bull-retention.ts`)   |
 */
import type Bull from 'bull';
import { snapshotRetention, type BackoffOptions, type JobSnapshot, type ValidatedSchedule } from '@switchyard/core';
import { setRetention } from './bull-retention.js';
import { CALLER_ID_OPTION, toBullJobId } from './bull-job-id.js';
import { mayBeUnclaimed } from './bull-job-index.js';
import { toBullRepeat } from './bull-repeat.js';

/** The name of the custom backoff strategy every queue registers (its maths: the backoff strategy in bull-worker.ts). */
export const SWITCHYARD_BACKOFF = 'switchyard';

/**
 * Bull stores `data || {}`, so a falsy payload (null, 0, false, '') would come back as
 * `{}`. Such a payload is kept in this job option instead, and read back from it.
 */
export const FALSY_DATA_OPTION = 'falsyData';

/**
 * An imported job that was already due keeps the time it fell due here: Bull adds it
 * with no delay, so `timestamp + delay` would say it was due when it was created.
 */
export const DUE_AT_OPTION = 'dueAt';

/**
 * Bull's job options, with `timestamp` (when the job was created), which Bull reads
 * (lib/job.js) but its type declarations leave out.
 */
export type BullJobOptions = Bull.JobOptions & { timestamp?: number };

/** A Bull job ready to add: its data and options. */
export interface BullJobToAdd {
  data: unknown;
  opts: BullJobOptions;
}

/**
 * Set on a job whose id is claimed in the provider's index although it has the shape of
 * a generated id (a caller's UUID): the worker frees a claimed id when Bull deletes the
 * job, and only ids of that shape can be unclaimed (see `BullJobIndex`), so only they
 * need saying.
 */
export const CLAIMED_ID_OPTION = 'claimedId';

/** True when the job's id is claimed in the provider's index. */
export function hasClaimedId(id: string, opts: Bull.JobOptions): boolean {
  return !mayBeUnclaimed(id) || (opts as Record<string, unknown>)[CLAIMED_ID_OPTION] === true;
}

/** Bull's options for a validated `scheduleJob` call, created at `timestamp` (ms); `claimed`: its id is in the index. */
export function toBullJobOptions(
  schedule: ValidatedSchedule,
  jobId: string,
  timestamp: number,
  claimed = false,
): BullJobToAdd {
  const opts: BullJobOptions = {
    jobId: toBullJobId(jobId),
    timestamp,
    priority: schedule.priority,
    attempts: schedule.attempts,
  };
  if (opts.jobId !== jobId) (opts as Record<string, unknown>)[CALLER_ID_OPTION] = jobId;
  if (claimed && mayBeUnclaimed(jobId)) (opts as Record<string, unknown>)[CLAIMED_ID_OPTION] = true;
  // Assigned, not spread in: this runs for every job scheduled.
  if (schedule.backoff !== undefined) opts.backoff = bullBackoff(schedule.backoff);
  if (schedule.timeoutMs !== undefined) opts.timeout = schedule.timeoutMs;
  if (schedule.repeat !== undefined) {
    // Every occurrence is forgotten once it ends: the series is one job, never a pile
    // of finished occurrences (the same as the memory provider).
    Object.assign(opts, { repeat: toBullRepeat(schedule.repeat), removeOnComplete: true, removeOnFail: true });
  } else {
    opts.delay = Math.max(0, schedule.runAt.getTime() - timestamp);
    setRetention(opts, 'completed', schedule.removeOnComplete);
    setRetention(opts, 'failed', schedule.removeOnFail);
  }
  return withData(schedule.data, opts);
}

/**
 * Bull's options for an imported snapshot. `createdAt` is kept as Bull's `timestamp`,
 * so the delay is counted from it; a due time that has passed makes the job waiting.
 */
export function snapshotToBullJobOptions(snapshot: JobSnapshot, now: number): BullJobToAdd {
  const createdAt = Date.parse(snapshot.createdAt);
  const opts: BullJobOptions = {
    jobId: toBullJobId(snapshot.id),
    timestamp: createdAt,
    priority: snapshot.priority,
    attempts: snapshot.attempts,
  };
  if (opts.jobId !== snapshot.id) (opts as Record<string, unknown>)[CALLER_ID_OPTION] = snapshot.id;
  // Every imported id is claimed in the index (see `importSnapshotBatch`).
  if (mayBeUnclaimed(snapshot.id)) (opts as Record<string, unknown>)[CLAIMED_ID_OPTION] = true;
  if (snapshot.backoff != null) opts.backoff = bullBackoff(snapshot.backoff);
  if (snapshot.timeoutMs !== null) opts.timeout = snapshot.timeoutMs;
  if (snapshot.repeat !== null) {
    Object.assign(opts, { repeat: toBullRepeat(snapshot.repeat), removeOnComplete: true, removeOnFail: true });
  } else {
    const runAt = snapshot.runAt === null ? now : Date.parse(snapshot.runAt);
    opts.delay = runAt > now ? runAt - createdAt : 0;
    if (runAt <= now && snapshot.runAt !== null) (opts as Record<string, unknown>)[DUE_AT_OPTION] = runAt;
    const { removeOnComplete, removeOnFail } = snapshotRetention(snapshot);
    setRetention(opts, 'completed', removeOnComplete);
    setRetention(opts, 'failed', removeOnFail);
  }
  return withData(snapshot.data, opts);
}

/** The contract backoff stored in a Bull job's options, if any. */
export function backoffOfBullOptions(opts: Bull.JobOptions): BackoffOptions | undefined {
  const backoff = opts.backoff;
  if (typeof backoff !== 'object' || backoff === null || backoff.type !== SWITCHYARD_BACKOFF) return undefined;
  return backoff.options as BackoffOptions;
}

/** When a job that is not delayed fell due (see `DUE_AT_OPTION`). */
export function dueTimeOfBullJob(job: Pick<Bull.Job, 'opts' | 'timestamp'>): Date {
  const dueAt = (job.opts as Record<string, unknown>)[DUE_AT_OPTION];
  return new Date(typeof dueAt === 'number' ? dueAt : job.timestamp + (job.opts.delay ?? 0));
}

/** The job's data as the caller gave it (see `FALSY_DATA_OPTION`). */
export function dataOfBullJob(job: Pick<Bull.Job, 'data' | 'opts'>): unknown {
  const opts = job.opts as Record<string, unknown>;
  return FALSY_DATA_OPTION in opts ? opts[FALSY_DATA_OPTION] : job.data;
}

function bullBackoff(backoff: BackoffOptions): Bull.BackoffOptions {
  return { type: SWITCHYARD_BACKOFF, options: backoff };
}

function withData(data: unknown, opts: BullJobOptions): BullJobToAdd {
  const value = data ?? null;
  if (value) return { data: value, opts };
  return { data: {}, opts: { ...opts, [FALSY_DATA_OPTION]: value } as BullJobOptions };
}
