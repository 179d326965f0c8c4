import type { AttemptControl, JobInfo } from '@switchyard/core';
import type { DueTimer } from './due-timers.js';

/** One job as the memory provider keeps it: the contract's fields plus its bookkeeping. */
export interface MemoryJob extends JobInfo {
  removeOnComplete: boolean;
  /** Insertion order, so that equal priorities run first-in first-out. */
  sequence: number;
  /** Armed while the job is `scheduled`. */
  timer?: DueTimer;
  /** Set while the job is `active`. */
  control?: AttemptControl;
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
