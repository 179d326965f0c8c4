import { ValidationError } from './errors.js';
import { JOB_STATES, type JobInfo, type JobState } from './job.js';
import type { ExportQuery, ListJobsQuery } from './queue-provider.js';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export interface NormalizedListQuery {
  names: string[] | null;
  states: JobState[];
  limit: number;
  offset: number;
}

/** Validates a `listJobs` query and fills in defaults (every name, every state, 100 from 0). */
export function normalizeListQuery(query: ListJobsQuery = {}): NormalizedListQuery {
  const { names, states } = normalizeExportQuery(query);
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw new ValidationError('offset', 'must be a whole number of at least 0');
  return { names, states, limit, offset };
}

/** Validates the name and state filters shared by `listJobs` and `exportJobs`. */
export function normalizeExportQuery(query: ExportQuery = {}): { names: string[] | null; states: JobState[] } {
  if (query.names !== undefined && (!Array.isArray(query.names) || query.names.some((n) => typeof n !== 'string'))) {
    throw new ValidationError('names', 'must be an array of job names');
  }
  if (query.states !== undefined) {
    if (!Array.isArray(query.states)) throw new ValidationError('states', 'must be an array of job states');
    for (const state of query.states) {
      if (!JOB_STATES.includes(state))
        throw new ValidationError('states', `unknown state '${String(state)}' (known: ${JOB_STATES.join(', ')})`);
    }
  }
  return { names: query.names ?? null, states: query.states ?? [...JOB_STATES] };
}

/** The order `listJobs` returns: oldest first, ties broken by id so pages never overlap. */
export function compareByCreation(a: Pick<JobInfo, 'createdAt' | 'id'>, b: Pick<JobInfo, 'createdAt' | 'id'>): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
