import type Bull from 'bull';
import { DEFAULT_PRIORITY, type JobInfo, type JobState, type RepeatOptions } from '@switchyard/core';
import { callerIdOfBullJob } from './bull-job-id.js';
import { backoffOfBullOptions } from './bull-backoff.js';
import { dataOfBullJob, dueTimeOfBullJob } from './to-bull-job-options.js';

/** What a Bull job does not say about itself and the provider found out elsewhere. */
export interface BullJobContext {
  /** The contract's name: the Bull queue the job is in. */
  name: string;
  /** The id the job is known by, when that is not its caller's id (a plain job's, see `plain-bull-job-id.ts`). */
  id?: string;
  state: JobState;
  /** For a delayed job: its due time from the delayed set's score (Bull's `delay` field goes stale on retries). */
  dueAt?: Date;
  /** For an occurrence of a repeating job: the series it belongs to. */
  series?: { id: string; repeat: RepeatOptions; createdAt: Date };
}

/**
 * A Bull job as the contract's `JobInfo`.
 *
 * Bull counts `attemptsMade` only when an attempt fails; the contract counts every
 * finished attempt, so a completed job has made one more than Bull says.
 */
export function jobInfoFromBull<T = unknown>(job: Bull.Job, context: BullJobContext): JobInfo<T> {
  const { state, series } = context;
  const finished = state === 'completed' || state === 'failed';
  const progress: unknown = job.progress();
  const info: JobInfo<T> = {
    id: series?.id ?? context.id ?? callerIdOfBullJob(job),
    name: context.name,
    data: dataOfBullJob(job) as T,
    state,
    runAt: finished ? null : (context.dueAt ?? dueTimeOfBullJob(job)),
    createdAt: series?.createdAt ?? new Date(job.timestamp),
    finishedAt: finished && job.finishedOn ? new Date(job.finishedOn) : null,
    priority: priorityOfBullJob(job.opts.priority),
    attemptsMade: job.attemptsMade + (state === 'completed' ? 1 : 0),
    maxAttempts: job.opts.attempts ?? 1,
    progress: typeof progress === 'number' ? progress : 0,
  };
  // Optional fields by assignment, not conditional spreads: every attempt builds one of these.
  if (state === 'completed' && job.returnvalue !== null && job.returnvalue !== undefined) info.result = job.returnvalue;
  if (state === 'failed' && job.failedReason) info.failedReason = job.failedReason;
  if (series !== undefined) info.repeat = series.repeat;
  const backoff = backoffOfBullOptions(job.opts);
  if (backoff !== undefined) info.backoff = backoff;
  if (job.opts.timeout !== undefined) info.timeoutMs = job.opts.timeout;
  return info;
}

/**
 * The series id of a repeat occurrence, or undefined for any other job. Bull keeps the
 * series' Bull id in `opts.repeat.jobId`; the caller's id is that, or the
 * `CALLER_ID_OPTION` every occurrence inherits from the series' options when it differs.
 */
export function seriesIdOfBullJob(job: Pick<Bull.Job, 'id' | 'opts'>): string | undefined {
  const repeat = job.opts.repeat as { jobId?: unknown } | undefined;
  if (typeof repeat?.jobId !== 'string') return undefined;
  return callerIdOfBullJob({ id: repeat.jobId, opts: job.opts });
}

/** The due time of a repeat occurrence (Bull keeps it in `opts.prevMillis`). */
export function occurrenceDueTime(job: Pick<Bull.Job, 'opts' | 'timestamp'>): Date {
  const prevMillis = (job.opts as { prevMillis?: unknown }).prevMillis;
  return new Date(typeof prevMillis === 'number' ? prevMillis : job.timestamp + (job.opts.delay ?? 0));
}

/** Bull's priority 0 (as a plain producer may give) means none, as no priority does: the contract's default. */
function priorityOfBullJob(priority: number | undefined): number {
  return priority === undefined || priority === 0 ? DEFAULT_PRIORITY : priority;
}
