import type { Agenda, Job } from 'agenda';
import { keepsAll, keepsNone, toError } from '@switchyard/core';
import { withDeadline, type AttemptHost } from '@switchyard/core/provider-kit';
import { NOTHING_RAN, type AttemptOutcome } from './attempt-outcome.js';
import type { AgendaJobDocument } from './agenda-job-document.js';
import type { AgendaStore } from './agenda-store.js';
import { retentionOfDocument } from './document-retention.js';
import type { FinishedDocumentTrimmer } from './finished-document-trimmer.js';
import { leaveUntouched, runJobAttempt, type AttemptEnvironment } from './job-attempt.js';
import { isPlainAgendaDocument } from './plain-agenda-job.js';
import { runPlainJobAttempt } from './plain-job-attempt.js';
import { NameWakeUps } from './name-wake-ups.js';

/** Upper bound for each MongoDB call closing makes, so that close() never hangs on a dead server. */
const CLOSE_STEP_TIMEOUT_MS = 2000;

/** A job Agenda has handed to our handler, from the handler's start to Agenda's 'complete'. */
interface ActiveRun {
  outcome: AttemptOutcome;
  /** The document as the attempt found it: its retention policies apply once it has finished. */
  before?: AgendaJobDocument;
}

/**
 * Runs the jobs of the registered names on one Agenda instance: one definition per
 * name (its concurrency is also its lock limit), Agenda's handler for each attempt
 * (`runJobAttempt`), and the outcome reported once Agenda has saved the job (its
 * 'complete' event), so that a listener that looks the job up sees what it says.
 */
export class AgendaWorker {
  private readonly runs = new Map<Job, ActiveRun>();
  /** The names defined on Agenda so far. */
  private readonly defined = new Set<string>();
  /** Wakes this worker's Agenda when a job becomes due here, instead of waiting for its poll. */
  readonly wakeUps: NameWakeUps;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly host: AttemptHost,
    private readonly settings: { lockLifetimeMs: number; workerName: string },
    private readonly trimmer: FinishedDocumentTrimmer,
  ) {
    this.wakeUps = new NameWakeUps((error) =>
      host.logger.debug('wake-up failed', { provider: host.providerName, error: toError(error).message }),
    );
  }

  /** Listens to a new Agenda instance. */
  attach(agenda: Agenda): void {
    agenda.on('complete', (job: Job) => this.onAgendaComplete(job));
    agenda.on('error', (error: Error) => this.onAgendaError(error));
  }

  /** Defines every registered name not defined yet: before `start()`, and for each name registered after it. */
  defineRegistered(agenda: Agenda, store: AgendaStore): void {
    for (const name of this.host.registrations().keys()) this.define(agenda, store, name);
  }

  private define(agenda: Agenda, store: AgendaStore, name: string): void {
    if (this.defined.has(name)) return;
    this.defined.add(name);
    const { concurrency } = this.host.registrations().get(name)!;
    // lockLimit = concurrency: a worker holds no job it cannot start, so the next one is
    // chosen in MongoDB (by priority) when a slot frees, not from a local backlog.
    agenda.define(name, (job: Job) => this.handle(job, store), {
      concurrency,
      lockLimit: concurrency,
      lockLifetime: this.settings.lockLifetimeMs,
    });
  }

  /**
   * Agenda's handler for every name: one attempt, claimed by Agenda's start save and
   * recorded by its end save (`AgendaStateSaves`); its event is emitted on Agenda's 'complete'.
   * A plain Agenda job runs as plain Agenda would run it (`runPlainJobAttempt`). A job
   * that cannot run here is left as it was, never marked finished by Agenda's save.
   */
  private async handle(agendaJob: Job, store: AgendaStore): Promise<void> {
    const run: ActiveRun = { outcome: NOTHING_RAN };
    this.runs.set(agendaJob, run);
    const registered = this.host.registrations().get(agendaJob.attrs.name);
    const claim = store.saves.claimOf(agendaJob.attrs);
    let attempt;
    if (registered === undefined || claim === undefined) {
      attempt = leaveUntouched(agendaJob, claim, { jobs: store.jobs });
    } else {
      const env: AttemptEnvironment = {
        jobs: store.jobs,
        processor: registered.processor,
        heartbeatMs: Math.max(1, Math.floor(this.settings.lockLifetimeMs / 3)),
        isClosing: () => this.host.isClosing(),
        beginAttempt: (info, number, saveProgress) => this.host.beginAttempt(agendaJob, info, number, saveProgress),
        onStalled: (jobId, name) => this.host.reportStalled(jobId, name),
      };
      attempt =
        claim.before !== null && isPlainAgendaDocument(claim.before)
          ? await runPlainJobAttempt(agendaJob, claim.before, env)
          : await runJobAttempt(agendaJob, claim, env);
    }
    if (claim?.before != null) run.before = claim.before;
    const record = attempt.record;
    if (record !== undefined) {
      store.saves.endWith(agendaJob.attrs, async (fields) => {
        try {
          run.outcome = await record(fields);
        } catch (error) {
          // MongoDB failed us: the job keeps its lock and phase, and runs again once the lock expires.
          this.host.reportError(this.host.translateError(error));
          throw error;
        }
      });
    }
    // Thrown so that Agenda records the failure in its own fields (failCount, failReason) too.
    if (attempt.outcome.kind === 'retrying' || attempt.outcome.kind === 'failed') throw attempt.outcome.error;
  }

  /** Agenda has saved the job and let go of it: now the outcome is true in MongoDB, so tell listeners. */
  private onAgendaComplete(agendaJob: Job): void {
    const run = this.runs.get(agendaJob);
    if (run === undefined) return;
    this.runs.delete(agendaJob);
    const outcome = run.outcome;
    if (outcome.kind === 'completed') this.host.reportCompleted(outcome.job, outcome.result);
    else if (outcome.kind === 'retrying') this.host.reportRetrying(outcome.job, outcome.error, outcome.delayMs);
    else if (outcome.kind === 'failed') this.host.reportFailed(outcome.job, outcome.error);
    if ((outcome.kind === 'completed' || outcome.kind === 'failed') && run.before?.repeat === null) {
      const policy = retentionOfDocument(run.before, outcome.kind);
      // Keep-none jobs were deleted as they finished (see job-attempt.ts); counts and ages are trimmed here.
      if (!keepsAll(policy) && !keepsNone(policy)) this.trimmer.request(run.before.name, outcome.kind, policy);
    }
    this.host.endAttempt(agendaJob);
    // A slot of this name is free (Agenda has counted it free by the next turn): take the next job now.
    setImmediate(() => this.wakeUp(agendaJob.attrs.name, new Date()));
  }

  private onAgendaError(error: Error): void {
    // Agenda reports a job it had locked and that was cancelled before it ran: that is the cancel working.
    if (/cannot be updated in the database, maybe it does not exist anymore/.test(error.message)) {
      this.host.logger.debug('a locked job was removed before it started', {
        provider: this.host.providerName,
        error: error.message,
      });
      return;
    }
    this.host.reportError(this.host.translateError(error));
  }

  /**
   * Tells this worker's Agenda that a job of `name` is due at `dueAt`: it locks it now
   * if due before its next poll (Agenda ignores later ones). Only within this process;
   * other workers find the job on their next poll.
   */
  wakeUp(name: string, dueAt: Date): void {
    if (!this.host.started() || this.host.isClosing() || !this.host.registrations().has(name)) return;
    this.wakeUps.wake(name, dueAt);
  }

  /** Stops polling at once; running jobs go on (the kit waits for them, and aborts them at its timeout). */
  stopFetching(agenda: Agenda): void {
    this.draining = agenda.drain().then(
      () => undefined,
      (error: unknown) => {
        this.host.logger.warn('close: stopping Agenda failed', {
          provider: this.host.providerName,
          error: toError(error).message,
        });
      },
    );
  }

  /**
   * Waits (boundedly) for Agenda to have let go of every job, then hands back the locks
   * of jobs it had locked ahead of their runAt but not started: without this they would
   * wait out `lockLifetimeMs` before another worker could run them.
   */
  async windDown(store: AgendaStore): Promise<void> {
    if (this.draining === undefined) return;
    await withDeadline(this.draining, CLOSE_STEP_TIMEOUT_MS, 'stopping Agenda').catch(() => undefined);
    // What finished up to now is trimmed now, not left for the next worker's finishes.
    await withDeadline(this.trimmer.flush(), CLOSE_STEP_TIMEOUT_MS, 'trimming finished jobs').catch(() => undefined);
    const names = [...this.host.registrations().keys()];
    if (names.length === 0) return;
    const release = store.jobs.updateMany(
      {
        name: { $in: names },
        // Plain Agenda jobs (no phase) it locked ahead of their runAt, too.
        phase: { $in: ['pending', null] },
        nextRunAt: { $ne: null },
        lockedAt: { $ne: null },
        lastModifiedBy: this.settings.workerName,
      },
      { $set: { lockedAt: null } },
    );
    await withDeadline(release, CLOSE_STEP_TIMEOUT_MS, 'releasing locks').catch((error: unknown) => {
      this.host.logger.warn('close: could not release locked jobs; they run after their lock expires', {
        provider: this.host.providerName,
        error: toError(error).message,
      });
    });
  }
}
