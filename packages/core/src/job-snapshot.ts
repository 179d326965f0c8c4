import type { JobState } from './job.js';
import type { RetentionOption } from './retention.js';
import type { BackoffOptions, RepeatOptions } from './schedule-options.js';

/**
 * Bumped whenever the snapshot's shape changes; importers reject versions they do not
 * know. 2 added `removeOnFail` and the count and age forms of `removeOnComplete`;
 * version 1 snapshots (only `removeOnComplete: true`) are still read.
 */
export const SNAPSHOT_SCHEMA_VERSION = 2;
/** The versions `validateSnapshot` reads (it returns them as the current one). */
export const READABLE_SNAPSHOT_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/**
 * The portable record a job moves in between providers. Plain JSON (dates as ISO
 * strings), so a stream of them can also be written to a file.
 */
export interface JobSnapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  id: string;
  name: string;
  data: unknown;
  state: JobState;
  /** ISO time the job is due (next occurrence for a repeating job); null for finished jobs. */
  runAt: string | null;
  priority: number;
  /** Total tries allowed. */
  attempts: number;
  attemptsMade: number;
  backoff: BackoffOptions | null;
  timeoutMs: number | null;
  repeat: RepeatOptions | null;
  createdAt: string;
  /** Set for failed jobs. */
  failedReason?: string;
  /** The job's retention of completed jobs, as `ScheduleOptions` takes it; absent: keep all. */
  removeOnComplete?: Exclude<RetentionOption, false>;
  /** The job's retention of failed jobs; absent: keep all. */
  removeOnFail?: Exclude<RetentionOption, false>;
}

/** What `importJobs` did. */
export interface ImportReport {
  /** Ids newly stored. */
  imported: string[];
  /** Ids that existed and were kept (`onExisting: 'skip'`). */
  skipped: string[];
  /** Ids that existed and were overwritten (`onExisting: 'replace'`). */
  replaced: string[];
  /** Snapshots that could not be stored, with why. */
  errors: { id: string; reason: string }[];
}

export function emptyImportReport(): ImportReport {
  return { imported: [], skipped: [], replaced: [], errors: [] };
}
