/**
 * Checks of the arguments of every public `QueueProvider` method but `scheduleJob`
 * (whose options `validateSchedule` checks): each throws `ValidationError` naming the
 * argument or field, before anything reaches a backend.
 */
import { ValidationError } from '../errors.js';
import { JOB_STATES, type JobState } from '../job.js';
import type { JobProcessor } from '../job-processor.js';
import { normalizeListQuery, type NormalizedListQuery } from '../list-query.js';
import { validateCleanOptions, validateConcurrency, validateOnExisting } from '../provider-call-options.js';
import type {
  CleanOptions,
  CloseOptions,
  ExportQuery,
  ImportOptions,
  ListJobsQuery,
  RegisterOptions,
} from '../queue-provider.js';
import { validateJobName } from '../validate-schedule.js';

/** The longest `close({ timeoutMs })`: what a Node.js timer can wait. */
const MAX_CLOSE_TIMEOUT_MS = 2 ** 31 - 1;

function plainObjectOrUndefined(value: unknown, field: string, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw new ValidationError(`${field}.${key}`, `unknown option (known: ${known.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** A processor: an object with a valid job `name` and a `process` function. */
export function validateProcessor(processor: unknown): JobProcessor {
  if (typeof processor !== 'object' || processor === null)
    throw new ValidationError('processor', 'must be an object with name and process');
  const candidate = processor as Partial<JobProcessor>;
  validateJobName(candidate.name, 'processor.name');
  if (typeof candidate.process !== 'function') throw new ValidationError('processor.process', 'must be a function');
  return processor as JobProcessor;
}

export function validateRegisterOptions(options: RegisterOptions | undefined): { concurrency: number } {
  const checked = plainObjectOrUndefined(options, 'options', ['concurrency']);
  return { concurrency: validateConcurrency(checked.concurrency) };
}

/**
 * The id given to `getJob`, `cancelJob` or `retryJob`: a non-empty string. Any string is
 * looked up as it is (an id no job can have is simply not found), so jobs stored under
 * ids an earlier version accepted stay reachable.
 */
export function validateLookupId(jobId: unknown): string {
  if (typeof jobId !== 'string' || jobId === '') throw new ValidationError('jobId', 'must be a non-empty string');
  return jobId;
}

/** `pause`, `resume` and `getStats`' optional name: absent, or a job name as `scheduleJob` takes it. */
export function validateOptionalName(name: unknown): string | undefined {
  return name === undefined ? undefined : validateJobName(name, 'name');
}

function validateNames(names: unknown): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) throw new ValidationError('names', 'must be an array of job names');
  return names.map((name) => validateJobName(name, 'names'));
}

function validateStates(states: unknown): JobState[] | undefined {
  if (states === undefined) return undefined;
  if (!Array.isArray(states)) throw new ValidationError('states', 'must be an array of job states');
  states.forEach((state) => {
    if (!JOB_STATES.includes(state as JobState)) {
      throw new ValidationError('states', `unknown state '${String(state)}' (known: ${JOB_STATES.join(', ')})`);
    }
  });
  return states as JobState[];
}

export function validateListJobsQuery(query: ListJobsQuery | undefined): NormalizedListQuery {
  const checked = plainObjectOrUndefined(query, 'query', ['names', 'states', 'limit', 'offset']);
  const names = validateNames(checked.names);
  const states = validateStates(checked.states);
  return normalizeListQuery({
    ...(names === undefined ? {} : { names }),
    ...(states === undefined ? {} : { states }),
    ...(checked.limit === undefined ? {} : { limit: checked.limit as number }),
    ...(checked.offset === undefined ? {} : { offset: checked.offset as number }),
  });
}

export function validateExportJobsQuery(query: ExportQuery | undefined): {
  names: string[] | null;
  states: JobState[];
} {
  const checked = plainObjectOrUndefined(query, 'query', ['names', 'states']);
  return { names: validateNames(checked.names) ?? null, states: validateStates(checked.states) ?? [...JOB_STATES] };
}

export function validateCleanArgument(options: CleanOptions): CleanOptions {
  plainObjectOrUndefined(options ?? null, 'options', ['states', 'olderThanMs']);
  return validateCleanOptions(options);
}

/** `importJobs`' arguments: something iterable (sync or async) and the options; the `onExisting` chosen. */
export function validateImportArguments(jobs: unknown, options: ImportOptions | undefined): 'skip' | 'replace' {
  const iterable =
    typeof jobs === 'object' &&
    jobs !== null &&
    (Symbol.asyncIterator in jobs || Symbol.iterator in jobs) &&
    typeof jobs !== 'string';
  if (!iterable) throw new ValidationError('jobs', 'must be an iterable or async iterable of job snapshots');
  return validateOnExisting(plainObjectOrUndefined(options, 'options', ['onExisting']));
}

export function validateCloseOptions(
  options: CloseOptions | undefined,
  defaultTimeoutMs: number,
): { timeoutMs: number } {
  const checked = plainObjectOrUndefined(options, 'options', ['timeoutMs']);
  const timeoutMs = checked.timeoutMs ?? defaultTimeoutMs;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs < 0 ||
    timeoutMs > MAX_CLOSE_TIMEOUT_MS
  ) {
    throw new ValidationError('timeoutMs', `must be a number from 0 to ${MAX_CLOSE_TIMEOUT_MS}`);
  }
  return { timeoutMs };
}
