import type { JobInfo } from './job.js';
import type { Logger } from './logger.js';

/** What a processor gets besides the job itself. */
export interface JobContext {
  /** 1-based number of this attempt. */
  attempt: number;
  /** Aborted when the attempt times out and when the provider shuts down: stop work when it fires. */
  signal: AbortSignal;
  /** Report progress, 0..100. */
  progress(percent: number): Promise<void>;
  log: Logger;
}

/**
 * Handles every job of one name. Throwing (or rejecting) fails the attempt; the
 * provider retries it as its `attempts` and `backoff` say.
 *
 * @example
 * ```ts
 * class SendWelcomeEmail implements JobProcessor<{ userId: string }> {
 *   readonly name = 'welcome-email';
 *   async process(job: JobInfo<{ userId: string }>, ctx: JobContext) {
 *     await mailer.send(job.data.userId, { signal: ctx.signal });
 *   }
 * }
 * provider.registerProcessor(new SendWelcomeEmail(), { concurrency: 5 });
 * ```
 */
export interface JobProcessor<T = unknown, R = unknown> {
  readonly name: string;
  process(job: JobInfo<T>, ctx: JobContext): Promise<R>;
}
