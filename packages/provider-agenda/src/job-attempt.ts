import { ObjectId, type Collection } from 'mongodb';
import type { Job } from 'agenda';
import { ProviderClosedError, keepsNone, type JobInfo, type JobProcessor, toError } from '@switchyard/core';
import { decideAfterFailedAttempt, type StartedAttempt } from '@switchyard/core/provider-kit';
import type { AgendaJobDocument } from './agenda-job-document.js';
import type { AgendaStateFields, AttemptClaim } from './agenda-state-saves.js';
import { NOTHING_RAN, type AttemptOutcome } from './attempt-outcome.js';
import { retentionOfDocument } from './document-retention.js';
import { toJobInfo } from './job-state-mapping.js';
import { isPlainAgendaDocument } from './plain-agenda-job.js';
import { fromResultJson, toResultJson } from './stored-result.js';

/** What an attempt needs from the provider that runs it. */
export interface AttemptEnvironment {
  jobs: Collection<AgendaJobDocument>;
  processor: JobProcessor;
  /** How often the running job's Agenda lock is renewed (a fraction of the lock lifetime). */
  heartbeatMs: number;
  /** True once close() has begun: start nothing new. */
  isClosing(): boolean;
  /** The kit's `beginAttempt`: the attempt's control (timeout, abort at close) and its processor's context. */
  beginAttempt(info: JobInfo, attempt: number, saveProgress: (percent: number) => Promise<void>): StartedAttempt;
  /** The job was found mid-attempt: its previous worker died and it runs again now. */
  onStalled(jobId: string, name: string): void;
}

/**
 * What an attempt came to, and the write that records it in MongoDB. The write is
 * made by Agenda's save after the handler returns (see `AgendaStateSaves`), and may
 * still change the outcome: a retry of a job cancelled meanwhile becomes a failure.
 */
export interface AttemptResult {
  outcome: AttemptOutcome;
  /** Records the attempt together with Agenda's fields; resolves to the outcome as recorded. */
  record?: (agendaFields: AgendaStateFields) => Promise<AttemptOutcome>;
}

/**
 * One attempt of a job Agenda has locked and started (`Job.run()` calls this as the
 * job's handler), given the claim Agenda's start save made (phase active, and the
 * document before). Runs the processor with a timeout and a heartbeat that keeps
 * Agenda's lock, then says how to record what happened in Switchyard's fields, and
 * sets `agendaJob.attrs.nextRunAt` for Agenda's own. See `job-state-mapping.ts` for
 * the whole life of a job.
 */
export async function runJobAttempt(
  agendaJob: Job,
  claim: AttemptClaim,
  env: AttemptEnvironment,
): Promise<AttemptResult> {
  const { before } = claim;
  // Cancelled since Agenda locked it, or a finished job under a stale lock: nothing to do.
  if (before === null) return { outcome: NOTHING_RAN };
  const _id = before._id;
  if (before.cancelled === true) {
    return { outcome: NOTHING_RAN, record: async () => (await env.jobs.deleteOne({ _id }), NOTHING_RAN) };
  }
  // Agenda started it while we were shutting down: give it back, due now, as it was.
  if (env.isClosing()) return handBack(agendaJob, _id, env);
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
export async function runProcessor(
  agendaJob: Job,
  info: JobInfo,
  env: AttemptEnvironment,
): Promise<{ result: unknown } | { error: Error }> {
  let settled = false;
  const { control, context }: StartedAttempt = env.beginAttempt(info, info.attemptsMade + 1, async (percent) => {
    // After a timeout or shutdown the job is no longer ours: touch() would lock it again.
    if (control.aborted || settled) throw control.reason ?? new Error('the attempt is over');
    // touch() stores progress in Agenda's own field and renews the lock while at it.
    await agendaJob.touch(percent);
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

function recordSuccess(
  agendaJob: Job,
  before: AgendaJobDocument,
  info: JobInfo,
  result: unknown,
  env: AttemptEnvironment,
): AttemptResult {
  const finishedAt = new Date();
  const resultJson = toResultJson(result) ?? null;
  const attemptsMade = info.attemptsMade + 1;
  const _id = before._id;
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
  const outcome: AttemptOutcome = { kind: 'completed', job, result: fromResultJson(resultJson) };
  if (before.repeat !== null) {
    // Agenda computed the next occurrence when this one started; it runs with fresh attempts.
    agendaJob.attrs.progress = 0;
    const next = agendaJob.attrs.nextRunAt ?? null;
    return {
      outcome,
      record: (fields) =>
        continueOrRemove(env.jobs, _id, fields, { attemptsMade: 0, progress: 0, resultJson, nextRunAt: next }, outcome),
    };
  }
  if (keepsNone(retentionOfDocument(before, 'completed')))
    return { outcome, record: () => remove(env.jobs, _id, outcome) };
  agendaJob.attrs.progress = 100;
  const completed = {
    phase: 'completed',
    attemptsMade,
    progress: 100,
    resultJson,
    failedReason: null,
    finishedAt,
    nextRunAt: null,
  } as const;
  return { outcome, record: (fields) => update(env.jobs, _id, fields, completed, outcome) };
}

function recordFailure(
  agendaJob: Job,
  before: AgendaJobDocument,
  info: JobInfo,
  error: Error,
  env: AttemptEnvironment,
): AttemptResult {
  const _id = before._id;
  // Aborted by shutdown, through no fault of its own: the attempt does not count.
  if (env.isClosing() && error instanceof ProviderClosedError) return handBack(agendaJob, _id, env);
  const attemptsMade = info.attemptsMade + 1;
  const failedReason = error.message;
  const finishedAt = new Date();
  const failed: AttemptOutcome = {
    kind: 'failed',
    job: { ...info, state: 'failed', runAt: null, finishedAt, attemptsMade, failedReason },
    error,
  };
  const next = decideAfterFailedAttempt({
    attemptsMade,
    maxAttempts: before.attempts,
    backoff: before.backoff ?? undefined,
  });
  if (next.kind === 'retry') {
    const delayMs = next.delayMs;
    const retryAt = new Date(Date.now() + delayMs);
    agendaJob.attrs.nextRunAt = retryAt;
    const state = delayMs > 0 ? 'scheduled' : 'waiting';
    const retrying: AttemptOutcome = {
      kind: 'retrying',
      job: { ...info, state, runAt: retryAt, attemptsMade, failedReason },
      error,
      delayMs,
    };
    return {
      outcome: retrying,
      // A repeating job cancelled during this attempt gets no more attempts.
      record: async (fields) =>
        (await writeUnlessCancelled(env.jobs, _id, {
          ...fields,
          phase: 'pending',
          attemptsMade,
          failedReason,
          nextRunAt: retryAt,
        }))
          ? retrying
          : failed,
    };
  }
  if (before.repeat !== null) {
    // The occurrence failed for good; the job itself goes on to its next occurrence.
    const next = agendaJob.attrs.nextRunAt ?? null;
    return {
      outcome: failed,
      record: (fields) =>
        continueOrRemove(
          env.jobs,
          _id,
          fields,
          { attemptsMade: 0, progress: 0, failedReason, nextRunAt: next },
          failed,
        ),
    };
  }
  if (keepsNone(retentionOfDocument(before, 'failed')))
    return { outcome: failed, record: () => remove(env.jobs, _id, failed) };
  return {
    outcome: failed,
    record: (fields) =>
      update(
        env.jobs,
        _id,
        fields,
        { phase: 'failed', attemptsMade, failedReason, finishedAt, nextRunAt: null },
        failed,
      ),
  };
}

/** A job whose retention keeps none, deleted as it finishes; `outcome` once it is gone. */
async function remove(
  jobs: Collection<AgendaJobDocument>,
  _id: ObjectId,
  outcome: AttemptOutcome,
): Promise<AttemptOutcome> {
  await jobs.deleteOne({ _id });
  return outcome;
}

/** The job back to pending and due now, the attempt not counted: what shutdown does to an attempt it stopped. */
function handBack(agendaJob: Job, _id: ObjectId, env: AttemptEnvironment): AttemptResult {
  const now = new Date();
  agendaJob.attrs.nextRunAt = now;
  return {
    outcome: NOTHING_RAN,
    record: (fields) => update(env.jobs, _id, fields, { phase: 'pending', nextRunAt: now }, NOTHING_RAN),
  };
}

/**
 * The job as it was before Agenda started it (due when it was, unlocked, its last run
 * and phase as they were), for a job this worker cannot run: never marked finished,
 * left for a worker that can. With no claim made (Agenda started it without its
 * save), it is left due now; with a claim that found nothing claimable (gone, or
 * finished already), there is nothing to leave.
 */
export function leaveUntouched(
  agendaJob: Job,
  claim: AttemptClaim | undefined,
  env: Pick<AttemptEnvironment, 'jobs'>,
): AttemptResult {
  if (claim?.before === null) return { outcome: NOTHING_RAN };
  const before = claim?.before;
  const restored: Partial<AgendaJobDocument> =
    before === undefined
      ? { lockedAt: null, nextRunAt: new Date() }
      : {
          lockedAt: null,
          nextRunAt: before.nextRunAt ?? null,
          lastRunAt: before.lastRunAt ?? null,
          ...(isPlainAgendaDocument(before) ? {} : { phase: before.phase }),
        };
  const _id = before?._id ?? new ObjectId(String(agendaJob.attrs._id));
  agendaJob.attrs.nextRunAt = restored.nextRunAt ?? null;
  return {
    outcome: NOTHING_RAN,
    record: async () => (await env.jobs.updateOne({ _id }, { $set: restored }), NOTHING_RAN),
  };
}

/** Agenda's fields and the attempt's in one write; `outcome` once it is made. */
export async function update(
  jobs: Collection<AgendaJobDocument>,
  _id: ObjectId,
  agendaFields: AgendaStateFields,
  fields: Partial<AgendaJobDocument>,
  outcome: AttemptOutcome,
): Promise<AttemptOutcome> {
  // Assigned into a fresh object, not spread: V8 is slow to add keys to an object made
  // by a spread (about 0.8 µs a key), and every attempt's end passes here.
  await jobs.updateOne({ _id }, { $set: Object.assign({}, agendaFields, fields) });
  return outcome;
}

/** A repeating job back to pending for its next occurrence, unless it was cancelled meanwhile. */
async function continueOrRemove(
  jobs: Collection<AgendaJobDocument>,
  _id: ObjectId,
  agendaFields: AgendaStateFields,
  fields: Partial<AgendaJobDocument>,
  outcome: AttemptOutcome,
): Promise<AttemptOutcome> {
  await writeUnlessCancelled(
    jobs,
    _id,
    Object.assign({}, agendaFields, fields, { phase: 'pending', finishedAt: null }),
  );
  return outcome;
}

/** Sets `fields` unless the job was cancelled during the attempt, in which case it is removed; true when set. */
async function writeUnlessCancelled(
  jobs: Collection<AgendaJobDocument>,
  _id: ObjectId,
  fields: Partial<AgendaJobDocument>,
): Promise<boolean> {
  const kept = await jobs.updateOne({ _id, cancelled: { $ne: true } }, { $set: fields });
  if (kept.matchedCount === 1) return true;
  await jobs.deleteOne({ _id });
  return false;
}
