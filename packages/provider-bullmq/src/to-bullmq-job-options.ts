/**
 * Contract schedules and snapshots as BullMQ job options, and back.
 *
 * | contract          | BullMQ                                                          |
 * |-------------------|-----------------------------------------------------------------|
 * | jobId             | `jobId`, encoded where BullMQ refuses it (`toBullMQJobId`), the  |
 * |                   | caller's id then kept in `switchyard.id`                        |
 * | createdAt         | `timestamp`                                                     |
 * | runAt             | `delay` (= runAt - timestamp; BullMQ's due time is their sum)   |
 * | priority 1..10    | `priority` (BullMQ: 1 is the highest too; 0, "none", unused)    |
 * | attempts          | `attempts`                                                      |
 * | backoff           | BullMQ's `fixed` / `exponential` with `delay`; with `maxDelayMs` |
 * |                   | or `jitter`, the custom strategy `switchyard` (core's maths)    |
 * | timeoutMs         | `switchyard.timeoutMs` (BullMQ has no attempt timeout: the kit's) |
 * | repeat            | a job scheduler (`upsertJobScheduler`), see `bullmq-repeat.ts`  |
 * | removeOnComplete, | `true`: BullMQ's own option; a count or an age: `switchyard.keepCompleted` / |
 * | removeOnFail      | `keepFailed`, applied by the provider (`bullmq-retention.ts`)   |
 * | data              | the job's data; `null` also noted in `switchyard.dataIsNull`;   |
 * |                   | on PostgreSQL, data holding U+0000 as its JSON text (`toStoredData`) |
 *
 * Everything else Switchyard needs travels in `opts.switchyard`, which BullMQ stores
 * with the job's other options (on Redis and on PostgreSQL alike) and ignores.
 */
import type { BackoffOptions as BullMQBackoffOptions, JobsOptions } from 'bullmq';
import {
  snapshotRetention,
  type BackoffOptions,
  type JobSnapshot,
  type RepeatOptions,
  type RetentionOption,
  type RetentionPolicy,
  type ValidatedSchedule,
} from '@switchyard/core';
import { toBullMQJobId } from './bullmq-job-id.js';
import { toBullMQRemoveOption, trimmedPolicy } from './bullmq-retention.js';

/** The custom backoff strategy's name (the strategy itself: the workers' backoffDelay, core's maths). */
export const SWITCHYARD_BACKOFF = 'switchyard';

/** What Switchyard keeps in a BullMQ job's options. */
export interface SwitchyardJobMeta {
  /** The caller's id, when the BullMQ id is encoded, or the series id of a scheduler's iteration. */
  id?: string;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  /** An imported job that was already due: when it fell due (BullMQ adds it with no delay). */
  dueAt?: number;
  /** A job scheduler's template: the series as the caller gave it. */
  repeat?: RepeatOptions;
  createdAt?: number;
  /**
   * The data is JSON `null`. BullMQ's PostgreSQL backend reads a null payload back as
   * `{}` (in postgres-queue-backend.js, a job row becomes `data: row.data ?? {}`).
   */
  dataIsNull?: boolean;
  /** The job's data is the JSON text of the caller's data (`toStoredData`). */
  dataAsJsonText?: boolean;
  /** The id was generated and never claimed in the job directory: nothing to free when BullMQ removes the job. */
  unclaimed?: boolean;
  /** A count or age policy for the job once completed, or once failed (see `bullmq-retention.ts`). */
  keepCompleted?: RetentionOption;
  keepFailed?: RetentionOption;
}

export type SwitchyardJobsOptions = JobsOptions & { switchyard?: SwitchyardJobMeta };

/** The options of a job to add: BullMQ's, with Switchyard's in `switchyard`. */
export function toBullMQJobOptions(
  schedule: ValidatedSchedule,
  jobId: string,
  timestamp: number,
): SwitchyardJobsOptions {
  const meta: SwitchyardJobMeta = {};
  const opts: SwitchyardJobsOptions = {
    jobId: toBullMQJobId(jobId),
    timestamp,
    priority: schedule.priority,
    attempts: schedule.attempts,
    delay: Math.max(0, schedule.runAt.getTime() - timestamp),
  };
  setRemoveOptions(opts, schedule.removeOnComplete, schedule.removeOnFail);
  setTrimmedPolicies(meta, schedule.removeOnComplete, schedule.removeOnFail);
  if (opts.jobId !== jobId) meta.id = jobId;
  if (isNullData(schedule.data)) meta.dataIsNull = true;
  if (schedule.backoff !== undefined) {
    opts.backoff = toBullMQBackoff(schedule.backoff);
    meta.backoff = schedule.backoff;
  }
  if (schedule.timeoutMs !== undefined) meta.timeoutMs = schedule.timeoutMs;
  opts.switchyard = meta;
  return opts;
}

/** The options of an imported snapshot (not repeating): `createdAt` kept as `timestamp`; a passed due time makes it waiting. */
export function snapshotToBullMQJobOptions(snapshot: JobSnapshot, now: number): SwitchyardJobsOptions {
  const createdAt = Date.parse(snapshot.createdAt);
  const runAt = snapshot.runAt === null ? now : Date.parse(snapshot.runAt);
  const retention = snapshotRetention(snapshot);
  const meta: SwitchyardJobMeta = {};
  const opts: SwitchyardJobsOptions = {
    jobId: toBullMQJobId(snapshot.id),
    timestamp: createdAt,
    priority: snapshot.priority,
    attempts: snapshot.attempts,
    delay: runAt > now ? runAt - createdAt : 0,
  };
  setRemoveOptions(opts, retention.removeOnComplete, retention.removeOnFail);
  setTrimmedPolicies(meta, retention.removeOnComplete, retention.removeOnFail);
  if (opts.jobId !== snapshot.id) meta.id = snapshot.id;
  if (snapshot.data === null) meta.dataIsNull = true;
  if (runAt <= now && snapshot.runAt !== null) meta.dueAt = runAt;
  if (snapshot.backoff !== null) {
    opts.backoff = toBullMQBackoff(snapshot.backoff);
    meta.backoff = snapshot.backoff;
  }
  if (snapshot.timeoutMs !== null) meta.timeoutMs = snapshot.timeoutMs;
  opts.switchyard = meta;
  return opts;
}

/**
 * BullMQ's `removeOnComplete` / `removeOnFail: true`, set only when true: BullMQ keeps
 * a job without them, and every byte of a job's options is carried through Redis
 * several times (the add's arguments, the job hash, each fetch), where Redis is what
 * bounds the rate.
 */
function setRemoveOptions(opts: SwitchyardJobsOptions, completed: RetentionPolicy, failed: RetentionPolicy): void {
  if (toBullMQRemoveOption(completed)) opts.removeOnComplete = true;
  if (toBullMQRemoveOption(failed)) opts.removeOnFail = true;
}

/** The count or age policies the provider's trimmer applies, kept with the job (assigned only when there are some). */
function setTrimmedPolicies(meta: SwitchyardJobMeta, completed: RetentionPolicy, failed: RetentionPolicy): void {
  const keepCompleted = trimmedPolicy(completed);
  if (keepCompleted !== undefined) meta.keepCompleted = keepCompleted;
  const keepFailed = trimmedPolicy(failed);
  if (keepFailed !== undefined) meta.keepFailed = keepFailed;
}

/** BullMQ's own backoff where it computes the same delays as core, the custom strategy where it cannot (caps, jitter). */
export function toBullMQBackoff(backoff: BackoffOptions): BullMQBackoffOptions {
  if (backoff.maxDelayMs === undefined && (backoff.jitter ?? 0) === 0) {
    return { type: backoff.type, delay: backoff.delayMs };
  }
  return { type: SWITCHYARD_BACKOFF, delay: backoff.delayMs };
}

/**
 * Data that reads back as `null`: JSON `null`, and no data at all (`undefined`, which
 * BullMQ would store as `{}`, and JSON has no word for).
 */
export function isNullData(data: unknown): boolean {
  return data === null || data === undefined;
}

/** JSON's escape of U+0000 and of the surrogates (JSON.stringify escapes only lone ones). */
const ESCAPES_JSONB_REFUSES = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * The data as BullMQ is given it on `backend`. PostgreSQL's jsonb refuses the character
 * U+0000 anywhere in a document (`unsupported Unicode escape sequence`), so there data
 * holding one goes as its JSON text, a string in which that character is six plain
 * characters, and `switchyard.dataAsJsonText` says so; `fromStoredData` reads it back.
 * Other data, and all data on Redis, is stored as it is, for BullMQ code reading it.
 */
export function toStoredData(data: unknown, backend: 'redis' | 'postgres'): { data: unknown; meta: SwitchyardJobMeta } {
  if (backend === 'postgres') {
    const text = JSON.stringify(data);
    if (text !== undefined && ESCAPES_JSONB_REFUSES.test(text)) return { data: text, meta: { dataAsJsonText: true } };
  }
  return { data, meta: {} };
}

/** A BullMQ job's data as the caller gave it (see `toStoredData` and `dataIsNull`). */
export function fromStoredData(job: { data: unknown; opts?: SwitchyardJobsOptions }): unknown {
  const meta = metaOf(job.opts);
  if (meta.dataIsNull === true) return null;
  if (meta.dataAsJsonText === true && typeof job.data === 'string') return JSON.parse(job.data) as unknown;
  return job.data;
}

/** Switchyard's part of a job's options (empty for a job Switchyard did not write). */
export function metaOf(opts: SwitchyardJobsOptions | undefined): SwitchyardJobMeta {
  const meta = opts?.switchyard;
  return typeof meta === 'object' && meta !== null ? meta : {};
}
