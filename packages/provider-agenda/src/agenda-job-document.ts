import type { ObjectId } from 'mongodb';
import type { BackoffOptions, RepeatOptions, RetentionPolicy } from '@switchyard/core';

/**
 * Where Switchyard's part of a job's life stands. Agenda has no such field (it
 * derives a state from its timestamps, and cannot tell "running" from "locked and
 * waiting for its timer"), so the provider keeps this one itself; see
 * `job-state-mapping.ts` for how it becomes a `JobState`.
 */
export type JobPhase = 'pending' | 'active' | 'completed' | 'failed';

/**
 * One job as stored: a document Agenda itself can lock, run and show (its fields
 * first), plus the fields only Switchyard reads (after). Agenda ignores fields it
 * does not know, and only ever writes its own.
 */
export interface AgendaJobDocument {
  // --- Agenda's fields ---------------------------------------------------------
  _id: ObjectId;
  name: string;
  /** Agenda's scale (higher runs first); see `toAgendaPriority`. */
  priority: number;
  /** When Agenda will next run it; null once finished (and, briefly, while a one-off job runs). */
  nextRunAt: Date | null;
  type: 'normal';
  data: unknown;
  /** Set while a worker holds the job (queued locally or running); refreshed by its heartbeat. */
  lockedAt?: Date | null;
  lastRunAt?: Date | null;
  lastFinishedAt?: Date | null;
  failedAt?: Date | null;
  failCount?: number | null;
  failReason?: string | null;
  repeatInterval?: string | number | null;
  repeatTimezone?: string | null;
  /** Agenda skips disabled jobs: this is how a paused name is held. */
  disabled?: boolean | null;
  progress?: number | null;
  /** The Agenda instance that last locked or saved it. */
  lastModifiedBy?: string | null;

  // --- Switchyard's fields -----------------------------------------------------
  // (A plain Agenda document, one no Switchyard provider wrote, has none of them: see
  // `plain-agenda-job.ts`. It is told apart by its missing `phase`.)
  /** The job id callers see; unique across every name (unique index). */
  jobId: string;
  /** Absent (null in a filter) on plain Agenda documents only. */
  phase?: JobPhase | null;
  createdAt: Date;
  /** Total tries allowed per run (per occurrence for repeating jobs). */
  attempts: number;
  /** Tries finished in the current run. */
  attemptsMade: number;
  backoff: BackoffOptions | null;
  timeoutMs: number | null;
  repeat: RepeatOptions | null;
  /**
   * Retention when it completes / fails for good (a shared `RetentionPolicy`; see
   * document-retention.ts). Left out to keep every job (the default), as a missing
   * field reads. Documents written before count and age policies hold a boolean
   * `removeOnComplete` and no `removeOnFail`.
   */
  removeOnComplete?: RetentionPolicy | boolean;
  removeOnFail?: RetentionPolicy;
  /** The last result, as JSON (see `stored-result.ts`). */
  resultJson?: string | null;
  failedReason?: string | null;
  finishedAt: Date | null;
  /** A repeating job cancelled while an occurrence ran: removed when that occurrence ends. */
  cancelled?: boolean;
}

/** A document before MongoDB gives it an `_id`. */
export type NewAgendaJobDocument = Omit<AgendaJobDocument, '_id'>;
