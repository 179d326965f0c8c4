import type { JobInfo } from '@switchyard/core';

/**
 * What one attempt came to, decided by the provider's handler and written to
 * MongoDB with Agenda's own save as it lets go of the job (`AgendaStateSaves`). The
 * matching event is emitted only after that save (Agenda's 'complete' event), so
 * that a listener that looks the job up sees it as the event says.
 */
export type AttemptOutcome =
  | { kind: 'completed'; job: JobInfo; result: unknown }
  | { kind: 'retrying'; job: JobInfo; error: Error; delayMs: number }
  | { kind: 'failed'; job: JobInfo; error: Error }
  /** Nothing ran: cancelled meanwhile, already finished, or handed back at shutdown. */
  | { kind: 'nothing' };

export const NOTHING_RAN: AttemptOutcome = { kind: 'nothing' };
