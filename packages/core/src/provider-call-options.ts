import { ValidationError } from './errors.js';
import { JOB_STATES, type JobState } from './job.js';
import type { CleanOptions, ImportOptions } from './queue-provider.js';

/** Checks `clean()` options: which finished states, and how old. */
export function validateCleanOptions(options: CleanOptions): CleanOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  if (!Array.isArray(options.states) || options.states.some((s) => s !== 'completed' && s !== 'failed')) {
    throw new ValidationError('states', "must be an array of 'completed' and/or 'failed'");
  }
  if (typeof options.olderThanMs !== 'number' || !Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new ValidationError('olderThanMs', 'must be a number of at least 0');
  }
  return options;
}

/** `importJobs`' `onExisting`: what to do with an id that exists; default 'skip'. */
export function validateOnExisting(options: ImportOptions): 'skip' | 'replace' {
  const onExisting = options.onExisting ?? 'skip';
  if (onExisting !== 'skip' && onExisting !== 'replace')
    throw new ValidationError('onExisting', "must be 'skip' or 'replace'");
  return onExisting;
}

/** `registerProcessor`'s concurrency: a whole number of at least 1, default 1. */
export function validateConcurrency(concurrency: unknown = 1): number {
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError('concurrency', 'must be a whole number of at least 1');
  }
  return concurrency;
}

/** Zero for every state: the starting point of `getStats`. */
export function emptyJobCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
}
