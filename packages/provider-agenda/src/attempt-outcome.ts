import type { JobInfo } from '@switchyard/core';

/**
 * What one attempt came to, decided (and written to MongoDB) by the provider's
 * handler while Agenda still holds the job. The matching event is emitted only
 * after Agenda has saved its own fields and released the lock (its 'complete'
 * event), so that a listener that looks the job up sees it as the event says.
 */
export type AttemptOutcome =
  | { kind: 'completed'; job: JobInfo; result: unknown }
  | { kind: 'retrying'; job: JobInfo; error: Error; delayMs: number }
  | { kind: 'failed'; job: JobInfo; error: Error }
  /** Nothing ran: cancelled meanwhile, already finished, or handed back at shutdown. */
  | { kind: 'nothing' };

export const NOTHING_RAN: AttemptOutcome = { kind: 'nothing' };
