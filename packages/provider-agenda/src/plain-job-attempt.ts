import type { Job } from 'agenda';
import { ProviderClosedError, type JobInfo } from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import { leaveUntouched, runProcessor, update, type AttemptEnvironment, type AttemptResult } from './job-attempt.js';
import { plainJobInfo } from './plain-agenda-job.js';
import { fromResultJson, toResultJson } from './stored-result.js';

/**
 * One run of a plain Agenda job (see `plain-agenda-job.ts`) by the processor registered
 * for its name, recorded as plain Agenda records it: only Agenda's own fields are
 * written, by Agenda's save after the handler (lastFinishedAt, and on a failure
 * failCount, failReason, failedAt; the next occurrence of a repeating job), so plain
 * Agenda workers and producers keep seeing the job as theirs. The provider's attempts
 * and backoff are not applied: the document has none, and a plain Agenda worker would
 * run it once too unless its own definition says otherwise. Started while the provider
 * closes, or aborted by close(), the job is left as it was before, for the next worker.
 */
export async function runPlainJobAttempt(
  agendaJob: Job,
  before: AgendaJobDocument,
  env: AttemptEnvironment,
): Promise<AttemptResult> {
  if (env.isClosing()) return leaveUntouched(agendaJob, { before }, env);
  const startedAt = new Date();
  const seen = plainJobInfo(before, startedAt);
  const info: JobInfo = { ...seen, state: 'active', runAt: agendaJob.attrs.nextRunAt ?? null };
  const ran = await runProcessor(agendaJob, info, env);
  if ('error' in ran && env.isClosing() && ran.error instanceof ProviderClosedError) {
    return leaveUntouched(agendaJob, { before }, env);
  }
  const finishedAt = new Date();
  const attemptsMade = info.attemptsMade + 1;
  const outcome: AttemptOutcome =
    'error' in ran
      ? {
          kind: 'failed',
          job: {
            ...info,
            state: 'failed',
            runAt: null,
            finishedAt,
            attemptsMade,
            maxAttempts: attemptsMade,
            failedReason: ran.error.message,
          },
          error: ran.error,
        }
      : {
          kind: 'completed',
          job: { ...info, state: 'completed', runAt: null, finishedAt, attemptsMade: 1, maxAttempts: 1, progress: 100 },
          // Through JSON, as every provider hands a result to listeners.
          result: fromResultJson(toResultJson(ran.result)),
        };
  // Agenda's own fields only, as its own save would write them.
  return { outcome, record: (agendaFields) => update(env.jobs, before._id, agendaFields, {}, outcome) };
}
