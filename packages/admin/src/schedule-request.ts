import { ValidationError, parseIsoDateTime, type ScheduleOptions } from '@switchyard/core';
import type { ScheduleBody } from './schemas.js';

/**
 * `POST /api/jobs` body → `scheduleJob` arguments. JSON has no dates, so `runAt`
 * arrives as an ISO 8601 string and becomes a `Date` here; every other option goes
 * through as it is, for `validateSchedule` to judge.
 */
export function toScheduleOptions(body: ScheduleBody): ScheduleOptions | undefined {
  if (body.options === undefined) return undefined;
  const { runAt, ...rest } = body.options;
  if (runAt === undefined) return rest;
  const date = parseIsoDateTime(runAt);
  if (date === null)
    throw new ValidationError(
      'options.runAt',
      'must be an ISO 8601 date-time with an offset, e.g. 2030-01-31T09:30:00Z',
    );
  return { ...rest, runAt: date };
}

/**
 * `validateSchedule` names fields as `scheduleJob` sees them (`delayMs`, `backoff.jitter`,
 * `data.items[2]`); a client of the HTTP API sent them inside a body, so name them by
 * their place there (`options.delayMs`).
 */
export function asBodyFieldError(error: ValidationError): ValidationError {
  const field = error.field;
  if (
    field === 'name' ||
    field === 'options' ||
    field === 'data' ||
    field.startsWith('data.') ||
    field.startsWith('data[') ||
    field.startsWith('options.')
  ) {
    return error;
  }
  const reason = error.message.startsWith(`Invalid ${field}: `)
    ? error.message.slice(`Invalid ${field}: `.length)
    : error.message;
  return new ValidationError(`options.${field}`, reason);
}
