import { ValidationError } from './errors.js';
import { JOB_STATES, type JobInfo } from './job.js';
import { READABLE_SNAPSHOT_SCHEMA_VERSIONS, SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from './job-snapshot.js';
import { KEEP_ALL, retentionOption, validateRetention, type RetentionPolicy } from './retention.js';
import { parseIsoDateTime } from './iso-date-time.js';
import {
  MAX_ATTEMPTS,
  MAX_TIMEOUT_MS,
  validateBackoff,
  validateJobId,
  validateJobName,
  validateRepeat,
} from './validate-schedule.js';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from './schedule-options.js';

/** What a snapshot carries beyond `JobInfo`: the job's retention policies (default keep all). */
export interface SnapshotRetention {
  removeOnComplete?: RetentionPolicy;
  removeOnFail?: RetentionPolicy;
}

/** The snapshot of a job as a provider reports it. */
export function toJobSnapshot(job: JobInfo, retention: SnapshotRetention = {}): JobSnapshot {
  const removeOnComplete = retentionOption(retention.removeOnComplete ?? KEEP_ALL);
  const removeOnFail = retentionOption(retention.removeOnFail ?? KEEP_ALL);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id: job.id,
    name: job.name,
    data: job.data ?? null,
    state: job.state,
    runAt: job.runAt === null ? null : job.runAt.toISOString(),
    priority: job.priority,
    attempts: job.maxAttempts,
    attemptsMade: job.attemptsMade,
    backoff: job.backoff ?? null,
    timeoutMs: job.timeoutMs ?? null,
    repeat: job.repeat ?? null,
    createdAt: job.createdAt.toISOString(),
    ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
    ...(removeOnComplete === undefined ? {} : { removeOnComplete }),
    ...(removeOnFail === undefined ? {} : { removeOnFail }),
  };
}

/** A checked snapshot's retention policies (keep all where it has none). */
export function snapshotRetention(snapshot: JobSnapshot): {
  removeOnComplete: RetentionPolicy;
  removeOnFail: RetentionPolicy;
} {
  return {
    removeOnComplete:
      snapshot.removeOnComplete === undefined
        ? KEEP_ALL
        : validateRetention(snapshot.removeOnComplete, 'snapshot.removeOnComplete'),
    removeOnFail:
      snapshot.removeOnFail === undefined
        ? KEEP_ALL
        : validateRetention(snapshot.removeOnFail, 'snapshot.removeOnFail'),
  };
}

/**
 * Checks a snapshot read from another provider or a file before it is imported, and
 * returns it as the current schema version (a version 1 snapshot, whose only
 * retention is `removeOnComplete: true`, reads as the same job in version 2).
 * Throws `ValidationError` with fields such as `snapshot.runAt`.
 */
export function validateSnapshot(value: unknown): JobSnapshot {
  if (typeof value !== 'object' || value === null) throw new ValidationError('snapshot', 'must be an object');
  const s = value as Record<string, unknown>;
  if (!READABLE_SNAPSHOT_SCHEMA_VERSIONS.includes(s.schemaVersion as number)) {
    throw new ValidationError(
      'snapshot.schemaVersion',
      `must be one of ${READABLE_SNAPSHOT_SCHEMA_VERSIONS.join(', ')}, got ${String(s.schemaVersion)}`,
    );
  }
  if (s.schemaVersion === 1) return validateSnapshot(upgradedFromVersion1(s));
  validateJobId(s.id, 'snapshot.id');
  validateJobName(s.name, 'snapshot.name');
  if (!JOB_STATES.includes(s.state as never))
    throw new ValidationError('snapshot.state', `must be one of ${JOB_STATES.join(', ')}`);
  if (s.runAt !== null && !isIsoDate(s.runAt))
    throw new ValidationError('snapshot.runAt', 'must be an ISO date string or null');
  if (!isIsoDate(s.createdAt)) throw new ValidationError('snapshot.createdAt', 'must be an ISO date string');
  if (
    !Number.isInteger(s.priority) ||
    (s.priority as number) < HIGHEST_PRIORITY ||
    (s.priority as number) > LOWEST_PRIORITY
  ) {
    throw new ValidationError(
      'snapshot.priority',
      `must be a whole number from ${HIGHEST_PRIORITY} to ${LOWEST_PRIORITY}`,
    );
  }
  if (!Number.isInteger(s.attempts) || (s.attempts as number) < 1 || (s.attempts as number) > MAX_ATTEMPTS) {
    throw new ValidationError('snapshot.attempts', `must be a whole number from 1 to ${MAX_ATTEMPTS}`);
  }
  if (!Number.isInteger(s.attemptsMade) || (s.attemptsMade as number) < 0) {
    throw new ValidationError('snapshot.attemptsMade', 'must be a whole number of at least 0');
  }
  if (s.backoff !== null) validateBackoff(s.backoff, 'snapshot.backoff');
  if (
    s.timeoutMs !== null &&
    (!Number.isInteger(s.timeoutMs) || (s.timeoutMs as number) < 1 || (s.timeoutMs as number) > MAX_TIMEOUT_MS)
  ) {
    throw new ValidationError('snapshot.timeoutMs', `must be a whole number from 1 to ${MAX_TIMEOUT_MS}, or null`);
  }
  if (s.repeat !== null) validateRepeat(s.repeat, 'snapshot.repeat');
  if (s.failedReason !== undefined && typeof s.failedReason !== 'string') {
    throw new ValidationError('snapshot.failedReason', 'must be a string');
  }
  for (const field of ['removeOnComplete', 'removeOnFail'] as const) {
    if (s[field] === undefined) continue;
    if (s[field] === false)
      throw new ValidationError(`snapshot.${field}`, 'is left out when every job is kept, not false');
    validateRetention(s[field], `snapshot.${field}`);
  }
  return value as JobSnapshot;
}

/** Version 1 had `removeOnComplete` as `true` or absent, and no `removeOnFail`. */
function upgradedFromVersion1(s: Record<string, unknown>): Record<string, unknown> {
  if (s.removeOnComplete !== undefined && typeof s.removeOnComplete !== 'boolean') {
    throw new ValidationError('snapshot.removeOnComplete', 'must be a boolean in a version 1 snapshot');
  }
  if (s.removeOnFail !== undefined) throw new ValidationError('snapshot.removeOnFail', 'is not part of version 1');
  const { removeOnComplete, ...rest } = s;
  return {
    ...rest,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    ...(removeOnComplete === true ? { removeOnComplete } : {}),
  };
}

function isIsoDate(value: unknown): boolean {
  return parseIsoDateTime(value) !== null;
}
