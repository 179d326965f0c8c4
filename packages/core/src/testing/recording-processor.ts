import type { JobInfo } from '../job.js';
import type { JobContext, JobProcessor } from '../job-processor.js';

/** One call of `process`: what the processor was given, and when. */
export interface AttemptRecord<T = unknown> {
  job: JobInfo<T>;
  attempt: number;
  signal: AbortSignal;
  /** `Date.now()` when `process` was called. */
  startedAt: number;
  /** `Date.now()` when the handler settled; undefined while it runs. */
  settledAt?: number;
}

/** A processor that remembers every attempt and how many ran at once. */
export interface RecordingProcessor<T = unknown, R = unknown> extends JobProcessor<T, R> {
  /** Every call of `process`, in the order they started. */
  readonly attempts: AttemptRecord<T>[];
  /** Attempts running now. */
  readonly active: number;
  /** The most attempts that ever ran at once. */
  readonly peakActive: number;
  attemptsOf(jobId: string): AttemptRecord<T>[];
}

export type JobHandler<T, R> = (job: JobInfo<T>, ctx: JobContext) => Promise<R> | R;

/**
 * A plain `{ name, process }` processor that records each attempt and counts the
 * attempts running at once, then runs `handler` (default: return undefined at once).
 *
 * @example
 * ```ts
 * const processor = recordingProcessor('email', async (job) => ({ sent: job.data }));
 * provider.registerProcessor(processor, { concurrency: 2 });
 * ```
 */
export function recordingProcessor<T = unknown, R = unknown>(
  name: string,
  handler: JobHandler<T, R> = () => undefined as R,
): RecordingProcessor<T, R> {
  const attempts: AttemptRecord<T>[] = [];
  let active = 0;
  let peakActive = 0;
  return {
    name,
    attempts,
    get active() {
      return active;
    },
    get peakActive() {
      return peakActive;
    },
    attemptsOf(jobId: string) {
      return attempts.filter((record) => record.job.id === jobId);
    },
    async process(job: JobInfo<T>, ctx: JobContext): Promise<R> {
      const record: AttemptRecord<T> = { job, attempt: ctx.attempt, signal: ctx.signal, startedAt: Date.now() };
      attempts.push(record);
      active += 1;
      peakActive = Math.max(peakActive, active);
      try {
        return await handler(job, ctx);
      } finally {
        active -= 1;
        record.settledAt = Date.now();
      }
    },
  };
}
