/**
 * Contract schedules and snapshots as Bull job options, and back.
 *
 * Everything maps onto a native Bull option, so Bull's own tools (Arena, bull-board,
 * `queue.getJob`) show the job as it is:
 *
 * | contract            | Bull                                                      |
 * |---------------------|-----------------------------------------------------------|
 * | jobId               | `jobId`, encoded where Bull would mistake it (`toBullJobId`); |
 * |                     | a caller's id also kept in `switchyardId`                 |
 * | createdAt           | `timestamp`                                               |
 * | runAt               | `delay` (= runAt - timestamp)                             |
 * | priority 1..10      | `priority` (Bull: 1 is the highest too)                   |
 * | attempts            | `attempts`                                                |
 * | backoff             | Bull's `fixed` / `exponential` where exact, else the custom |
 * |                     | `switchyard` strategy (see `bull-backoff.ts`)             |
 * | timeoutMs           | `timeout`                                                 |
 * | repeat              | `repeat: { every } | { cron, tz }` (series kept whole)     |
 * | removeOnComplete    | `removeOnComplete: true` to keep none; a count or age in   |
 * | removeOnFail        | `keepCompleted` / `keepFailed` (see `bull-retention.ts`)   |
 * | data                | `data`, falsy values (`0`, `false`, `null`, `''`) too     |
 */
import type Bull from 'bull';
import { snapshotRetention, type JobSnapshot, type ValidatedSchedule } from '@switchyard/core';
import { toBullBackoff } from './bull-backoff.js';
import { setRetention } from './bull-retention.js';
import { CALLER_ID_OPTION, toBullJobId } from './bull-job-id.js';
import { mayBeUnclaimed } from './bull-job-index.js';
import { toBullRepeat } from './bull-repeat.js';
import { mayBePlainBullJobId } from './plain-bull-job-id.js';

/**
 * A falsy payload of a repeating job is also kept in this job option: Bull adds each
 * next occurrence with `occurrence.data || {}` (lib/job.js toJSON), which would turn it
 * into `{}` from the second occurrence on. Earlier versions kept every falsy payload
 * here (with `{}` as the data), so reads still prefer it when it is there.
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

/**
 * Where the id of a job to add comes from: `newJobId` (a UUID no caller chose, never
 * claimed), or a claim in the provider's index.
 */
export type NewJobIdOrigin = 'generated' | 'claimed';

/**
 * Bull's options for a validated `scheduleJob` call, created at `timestamp` (ms). Without
 * an `origin`, the id is taken as a caller's that is not claimed in the index.
 */
export function toBullJobOptions(
  schedule: ValidatedSchedule,
  jobId: string,
  timestamp: number,
  origin?: NewJobIdOrigin,
): BullJobToAdd {
  // A generated id is a Bull id as it is, and shows by its shape that it is Switchyard's:
  // the checks below, made for every job scheduled, are for the other ids.
  const bullJobId = origin === 'generated' ? jobId : toBullJobId(jobId);
  const opts: BullJobOptions = {
    jobId: bullJobId,
    timestamp,
    priority: schedule.priority,
    attempts: schedule.attempts,
  };
  if (origin !== 'generated' && needsCallerIdOption(jobId, bullJobId)) {
    (opts as Record<string, unknown>)[CALLER_ID_OPTION] = jobId;
  }
  if (origin === 'claimed' && mayBeUnclaimed(jobId)) (opts as Record<string, unknown>)[CLAIMED_ID_OPTION] = true;
  // Assigned, not spread in: this runs for every job scheduled.
  if (schedule.backoff !== undefined) opts.backoff = toBullBackoff(schedule.backoff, schedule.attempts);
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
  const bullJobId = toBullJobId(snapshot.id);
  const opts: BullJobOptions = {
    jobId: bullJobId,
    timestamp: createdAt,
    priority: snapshot.priority,
    attempts: snapshot.attempts,
  };
  if (needsCallerIdOption(snapshot.id, bullJobId)) (opts as Record<string, unknown>)[CALLER_ID_OPTION] = snapshot.id;
  // Every imported id is claimed in the index (see `importSnapshotBatch`).
  if (mayBeUnclaimed(snapshot.id)) (opts as Record<string, unknown>)[CLAIMED_ID_OPTION] = true;
  if (snapshot.backoff != null) opts.backoff = toBullBackoff(snapshot.backoff, snapshot.attempts);
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

/**
 * The caller's id is kept in the job's options unless it is a generated UUID used as the
 * Bull id: an encoded id reads back from it, and any other id marks the job as
 * Switchyard's without a look in the job index (see `plain-bull-job-id.ts`).
 */
function needsCallerIdOption(id: string, bullJobId: string): boolean {
  return bullJobId !== id || mayBePlainBullJobId(bullJobId);
}

/**
 * Bull writes `JSON.stringify(data || {})` and reads `JSON.parse(data)`: a falsy payload
 * goes in wrapped in an object whose JSON is the payload itself, so the job hash holds
 * `0`, `false`, `null` or `""` exactly as Bull stores any other JSON value, and every
 * reader (plain Bull's too) gets it back unchanged.
 */
function withData(data: unknown, opts: BullJobOptions): BullJobToAdd {
  const value = data ?? null;
  if (value) return { data: value, opts };
  const stored = { toJSON: () => value };
  if (opts.repeat === undefined) return { data: stored, opts };
  return { data: stored, opts: { ...opts, [FALSY_DATA_OPTION]: value } as BullJobOptions };
}
