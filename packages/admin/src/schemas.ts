/**
 * JSON schemas of every admin request (fastify validates params, query strings and
 * bodies with them before a handler runs). Unknown body keys are refused with
 * `propertyNames` rather than `additionalProperties: false`, because fastify's default
 * Ajv setup silently strips such keys instead of rejecting them — and a mistyped
 * option (`{ "delay": 5000 }`) must fail loudly, not schedule a job for now.
 *
 * Job options are only checked for shape here; `scheduleJob` validates them fully
 * (with `validateSchedule`) and names the offending field.
 */
import { JOB_STATES, MAX_JOB_ID_LENGTH, MAX_JOB_NAME_LENGTH, MAX_LIST_LIMIT } from '@switchyard/core';

const jobName = { type: 'string', minLength: 1, maxLength: MAX_JOB_NAME_LENGTH } as const;
const jobId = { type: 'string', minLength: 1, maxLength: MAX_JOB_ID_LENGTH } as const;

export const DEFAULT_PAGE_SIZE = 20;

export const jobIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: jobId },
} as const;

export const queueNameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: jobName },
} as const;

export const jobListQuery = {
  type: 'object',
  propertyNames: { enum: ['state', 'offset', 'limit'] },
  properties: {
    state: { type: 'string', enum: [...JOB_STATES] },
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_PAGE_SIZE },
  },
} as const;

export const cleanBody = {
  type: 'object',
  required: ['state', 'olderThanMs'],
  propertyNames: { enum: ['state', 'olderThanMs'] },
  properties: {
    state: { type: 'string', enum: ['completed', 'failed'] },
    olderThanMs: { type: 'integer', minimum: 0 },
  },
} as const;

export const scheduleBody = {
  type: 'object',
  required: ['name'],
  propertyNames: { enum: ['name', 'data', 'options'] },
  properties: {
    name: jobName,
    data: {},
    options: {
      type: 'object',
      properties: {
        // JSON has no dates: an ISO 8601 string, turned into a Date before scheduling.
        runAt: { type: 'string' },
      },
    },
  },
} as const;

export interface JobIdParams {
  id: string;
}
export interface QueueNameParams {
  name: string;
}
export interface JobListQuery {
  state?: (typeof JOB_STATES)[number];
  offset: number;
  limit: number;
}
export interface CleanBody {
  state: 'completed' | 'failed';
  olderThanMs: number;
}
export interface ScheduleBody {
  name: string;
  data?: unknown;
  options?: Record<string, unknown>;
}
