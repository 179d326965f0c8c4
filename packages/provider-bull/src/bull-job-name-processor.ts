/**
 * A processor that tells Bull job names apart, for a queue that plain Bull producers
 * fill with named jobs (`queue.add('welcome', data)`, `queue.add('reset-password', data)`)
 * and plain workers used to handle with `queue.process('welcome', ...)`.
 *
 * The processor still takes the whole queue: a Bull worker fetches every job of its
 * queue whatever its name (and fails those it has no handler for), so the jobs of any
 * other name, and every job Switchyard scheduled (Bull's default name), go to
 * `process`. Only the Bull provider reads `bullJobNames`; on any other provider the
 * object is a plain `JobProcessor` and `process` takes every job.
 *
 * @example
 * ```ts
 * queue.registerProcessor({
 *   name: 'email-notifications',
 *   bullJobNames: { welcome: (job) => sendWelcome(job.data), 'reset-password': (job) => sendReset(job.data) },
 *   process: (job) => sendGeneric(job.data),
 * } satisfies BullJobNameProcessor);
 * ```
 */
import { ValidationError, type JobContext, type JobInfo, type JobProcessor } from '@switchyard/core';

export interface BullJobNameProcessor<T = unknown, R = unknown> extends JobProcessor<T, R> {
  /** The handler of each Bull job name this processor tells apart; other names go to `process`. */
  readonly bullJobNames?: Readonly<Record<string, JobProcessor<T, R>['process']>>;
}

/** Throws `ValidationError` naming the field when a processor's `bullJobNames` is not names to functions. */
export function validateBullJobNames(processor: unknown): void {
  const names: unknown = (processor as { bullJobNames?: unknown } | null)?.bullJobNames;
  if (names === undefined) return;
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw new ValidationError('processor.bullJobNames', 'must be an object of Bull job names to functions');
  }
  for (const [name, handler] of Object.entries(names)) {
    if (typeof handler !== 'function') {
      throw new ValidationError(`processor.bullJobNames.${name}`, 'must be a function');
    }
  }
}

/** Runs the processor's handler for a job of Bull job name `bullJobName`: its own, else `process`. */
export function processBullJob<R>(
  processor: BullJobNameProcessor<unknown, R>,
  bullJobName: string,
  job: JobInfo,
  context: JobContext,
): Promise<R> {
  const names = processor.bullJobNames;
  const handler = names !== undefined && Object.hasOwn(names, bullJobName) ? names[bullJobName] : undefined;
  return handler === undefined ? processor.process(job, context) : handler(job, context);
}
