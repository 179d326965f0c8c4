import type { Job, JobState as BullMQState } from 'bullmq';
import { DEFAULT_PRIORITY, type JobInfo, type JobState, type RepeatOptions } from '@switchyard/core';
import { fromBullMQJobId } from './bullmq-job-id.js';
import { fromStoredData, metaOf } from './to-bullmq-job-options.js';

/** BullMQ's states of each contract state (what `getJobs` / `getJobCounts` are asked for). */
export const BULLMQ_STATES_OF: Readonly<Record<JobState, readonly BullMQState[]>> = {
  scheduled: ['delayed'],
  waiting: ['waiting', 'prioritized', 'waiting-children', 'paused' as BullMQState],
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
};

/**
 * The contract state of a BullMQ state (see the diagram in bullmq-queue-provider.ts);
 * null for 'unknown' (no such job). A delayed job already due is `waiting`: BullMQ
 * promotes it only when a worker next looks, and not at all while its queue is paused.
 */
export function toJobState(state: BullMQState | 'unknown', dueAt: number | null, now: number): JobState | null {
  switch (state) {
    case 'delayed':
      return dueAt !== null && dueAt <= now ? 'waiting' : 'scheduled';
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    case 'unknown':
      return null;
    default:
      return 'waiting';
  }
}

/** What a BullMQ job does not say about itself and the provider found out elsewhere. */
export interface BullMQJobContext {
  /** The contract's name: the queue the job is in. */
  name: string;
  state: JobState;
  /** For a delayed job: when it falls due (from BullMQ's delayed index). */
  dueAt?: number | null;
  /** For an iteration of a job scheduler: the series it belongs to. */
  series?: { id: string; repeat: RepeatOptions; createdAt: Date; nextRunAt?: Date };
}

/** The caller's id of a BullMQ job (not a scheduler's iteration). */
export function callerIdOf(job: Pick<Job, 'id' | 'opts'>): string {
  return metaOf(job.opts).id ?? fromBullMQJobId(String(job.id));
}

/** A BullMQ job as the contract's `JobInfo`. */
export function jobInfoFromBullMQ<T = unknown>(job: Job, context: BullMQJobContext): JobInfo<T> {
  const { state, series } = context;
  const meta = metaOf(job.opts);
  const finished = state === 'completed' || state === 'failed';
  const dueAt = context.dueAt ?? meta.dueAt ?? job.timestamp + (job.opts.delay ?? 0);
  const info: JobInfo<T> = {
    id: series?.id ?? callerIdOf(job),
    name: context.name,
    data: fromStoredData(job) as T,
    state,
    runAt: finished ? null : (series?.nextRunAt ?? new Date(dueAt)),
    createdAt: series?.createdAt ?? new Date(job.timestamp),
    finishedAt: finished && job.finishedOn ? new Date(job.finishedOn) : null,
    priority: job.priority || job.opts.priority || DEFAULT_PRIORITY,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    progress: typeof job.progress === 'number' ? job.progress : 0,
  };
  if (state === 'completed' && job.returnvalue !== null && job.returnvalue !== undefined) info.result = job.returnvalue;
  if (state === 'failed' && job.failedReason) info.failedReason = job.failedReason;
  if (series !== undefined) info.repeat = series.repeat;
  if (meta.backoff !== undefined) info.backoff = meta.backoff;
  if (meta.timeoutMs !== undefined) info.timeoutMs = meta.timeoutMs;
  return info;
}
