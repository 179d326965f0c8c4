import { ObjectId, type Collection } from 'mongodb';
import type { Job } from 'agenda';
import {
  AttemptControl,
  ProviderClosedError,
  computeBackoffDelay,
  createJobContext,
  type JobInfo,
  type JobProcessor,
  type Logger,
  toError,
} from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { NOTHING_RAN, type AttemptOutcome } from './attempt-outcome.js';
import { toJobInfo } from './job-state-mapping.js';
import { fromResultJson, toResultJson } from './stored-result.js';

/** What an attempt needs from the provider that runs it. */
export interface AttemptEnvironment {
  providerName: string;
  jobs: Collection<AgendaJobDocument>;
  processor: JobProcessor;
  logger: Logger;
  /** How often the running job's Agenda lock is renewed (a fraction of the lock lifetime). */
  heartbeatMs: number;
  /** True once close() has begun: start nothing new. */
  isClosing(): boolean;
  /** The attempt's control, so close() can abort it at its timeout. */
  onStart(control: AttemptControl): void;
  /** The job was found mid-attempt: its previous worker died and it runs again now. */
  onStalled(jobId: string, name: string): void;
}

/**
 * One attempt of a job Agenda has locked and started (`Job.run()` calls this as the
 * job's handler). Claims the job (phase active), runs the processor with a timeout
 * and a heartbeat that keeps Agenda's lock, then records what happened in
 * Switchyard's fields and in `agendaJob.attrs.nextRunAt`, which Agenda saves when
 * the handler returns. See `job-state-mapping.ts` for the whole life of a job.
 */
export async function runJobAttempt(agendaJob: Job, env: AttemptEnvironment): Promise<AttemptOutcome> {
  const _id = new ObjectId(String(agendaJob.attrs._id));
  if (env.isClosing()) {
    // Agenda started it while we were shutting down: give it back, due now, untouched.
    agendaJob.attrs.nextRunAt = new Date();
    return NOTHING_RAN;
  }
  const before = await env.jobs.findOneAndUpdate(
    { _id, phase: { $in: ['pending', 'active'] } },
    { $set: { phase: 'active' } },
    { returnDocument: 'before' },
  );
  // Cancelled since Agenda locked it, or a finished job under a stale lock: nothing to do.
  if (before === null) return NOTHING_RAN;
  if (before.cancelled === true) {
    await env.jobs.deleteOne({ _id });
    return NOTHING_RAN;
  }
  if (before.phase === 'active') env.onStalled(before.jobId, before.name);

  const startedAt = new Date();
  const running: AgendaJobDocument = { ...before, phase: 'active', nextRunAt: agendaJob.attrs.nextRunAt ?? null };
  const info = toJobInfo(running, startedAt);
  const outcome = await runProcessor(agendaJob, info, env);
  return 'error' in outcome
    ? recordFailure(agendaJob, before, info, outcome.error, env)
    : recordSuccess(agendaJob, before, info, outcome.result, env);
}

/** Runs the processor until it settles, its timeout passes, or close() aborts it. */
async function runProcessor(agendaJob: Job, info: JobInfo, env: AttemptEnvironment): Promise<{ result: unknown } | { error: Error }> {
  const control = new AttemptControl(info.id, info.timeoutMs);
  let settled = false;
  env.onStart(control);
  const context = createJobContext({
    attempt: info.attemptsMade + 1,
    control,
    logger: env.logger,
    provider: env.providerName,
    job: info,
    saveProgress: async (percent) => {
      // After a timeout or shutdown the job is no longer ours: touch() would lock it again.
      if (control.aborted || settled) throw control.reason ?? new Error('the attempt is over');
      // touch() stores progress in Agenda's own field and renews the lock while at it.
      await agendaJob.touch(percent);
    },
  });
  const heartbeat = setInterval(() => {
    agendaJob.touch(agendaJob.attrs.progress ?? undefined).catch((error: unknown) => {
      context.log.warn('could not renew the job lock', { error: toError(error).message });
    });
  }, env.heartbeatMs);
  try {
    // A processor that ignores its signal is left behind: the attempt ends at the abort.
    return { result: await control.run(() => env.processor.process(info, context)) };
  } catch (error) {
    return { error: toError(error) };
  } finally {
    settled = true;
    control.end();
    clearInterval(heartbeat);
  }
}

async function recordSuccess(
  agendaJob: Job,
  before: AgendaJobDocument,
  info: JobInfo,
  result: unknown,
  env: AttemptEnvironment,
): Promise<AttemptOutcome> {
  const finishedAt = new Date();
  const resultJson = toResultJson(result) ?? null;
  const attemptsMade = info.attemptsMade + 1;
  const _id = before._id;
  if (before.repeat !== null) {
    // Agenda computed the next occurrence when this one started; it runs with fresh attempts.
    const next = agendaJob.attrs.nextRunAt ?? null;
    agendaJob.attrs.progress = 0;
    await continueOrRemove(env.jobs, _id, { attemptsMade: 0, progress: 0, resultJson, nextRunAt: next });
  } else if (before.removeOnComplete) {
    await env.jobs.deleteOne({ _id });
  } else {
    agendaJob.attrs.progress = 100;
    await env.jobs.updateOne(
      { _id },
      { $set: { phase: 'completed', attemptsMade, progress: 100, resultJson, failedReason: null, finishedAt, nextRunAt: null } },
    );
  }
  const { failedReason: _cleared, ...rest } = info;
  const stored = fromResultJson(resultJson);
  const job: JobInfo = {
    ...rest,
    state: 'completed',
    runAt: null,
    finishedAt,
    attemptsMade,
    progress: 100,
    ...(stored === undefined ? {} : { result: stored }),
  };
  return { kind: 'completed', job, result: fromResultJson(resultJson) };
}

async function recordFailure(
  agendaJob: Job,
  before: AgendaJobDocument,
  info: JobInfo,
  error: Error,
  env: AttemptEnvironment,
): Promise<AttemptOutcome> {
  const _id = before._id;
  if (env.isClosing() && error instanceof ProviderClosedError) {
    // Aborted by shutdown, through no fault of its own: the attempt does not count.
    const now = new Date();
    agendaJob.attrs.nextRunAt = now;
    await env.jobs.updateOne({ _id }, { $set: { phase: 'pending', nextRunAt: now } });
    return NOTHING_RAN;
  }
  const attemptsMade = info.attemptsMade + 1;
  const failedReason = error.message;
  if (attemptsMade < before.attempts) {
    const delayMs = computeBackoffDelay(before.backoff ?? undefined, attemptsMade);
    const retryAt = new Date(Date.now() + delayMs);
    const kept = await env.jobs.updateOne(
      { _id, cancelled: { $ne: true } },
      { $set: { phase: 'pending', attemptsMade, failedReason, nextRunAt: retryAt } },
    );
    if (kept.matchedCount === 1) {
      agendaJob.attrs.nextRunAt = retryAt;
      const state = delayMs > 0 ? 'scheduled' : 'waiting';
      return { kind: 'retrying', job: { ...info, state, runAt: retryAt, attemptsMade, failedReason }, error, delayMs };
    }
    // A repeating job cancelled during this attempt: no more attempts.
    await env.jobs.deleteOne({ _id });
  } else if (before.repeat !== null) {
    // The occurrence failed for good; the job itself goes on to its next occurrence.
    await continueOrRemove(env.jobs, _id, { attemptsMade: 0, progress: 0, failedReason, nextRunAt: agendaJob.attrs.nextRunAt ?? null });
  } else {
    await env.jobs.updateOne(
      { _id },
      { $set: { phase: 'failed', attemptsMade, failedReason, finishedAt: new Date(), nextRunAt: null } },
    );
  }
  const job: JobInfo = { ...info, state: 'failed', runAt: null, finishedAt: new Date(), attemptsMade, failedReason };
  return { kind: 'failed', job, error };
}

/** A repeating job back to pending for its next occurrence, unless it was cancelled meanwhile. */
async function continueOrRemove(
  jobs: Collection<AgendaJobDocument>,
  _id: ObjectId,
  fields: Partial<AgendaJobDocument>,
): Promise<void> {
  const kept = await jobs.updateOne({ _id, cancelled: { $ne: true } }, { $set: { ...fields, phase: 'pending', finishedAt: null } });
  if (kept.matchedCount === 0) await jobs.deleteOne({ _id });
}

