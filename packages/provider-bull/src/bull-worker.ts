import type Bull from 'bull';
import {
  ProviderClosedError,
  computeBackoffDelay,
  keepsAll,
  keepsNone,
  toError,
  toStoredResult,
  type BackoffOptions,
  type JobInfo,
} from '@switchyard/core';
import { decideAfterFailedAttempt, type AttemptHost, type Registration } from '@switchyard/core/provider-kit';
import { bullBuiltinBackoffDelay } from './bull-backoff.js';
import { processBullJob } from './bull-job-name-processor.js';
import { callerIdOfBullJob } from './bull-job-id.js';
import type { BullJobIndex } from './bull-job-index.js';
import type { BullQueueRegistry } from './bull-queue-registry.js';
import { retentionOfBullOptions, type FinishedState } from './bull-retention.js';
import type { FinishedJobTrimmer } from './finished-job-trimmer.js';
import { hasClaimedId } from './to-bull-job-options.js';
import { jobInfoFromBull, occurrenceDueTime, seriesIdOfBullJob } from './job-info-from-bull.js';
import {
  idOfBullJob,
  isSwitchyardJobByItself,
  isSwitchyardOccurrenceByItself,
  plainJobId,
} from './plain-bull-job-id.js';

/**
 * Runs the jobs of the provider's registered names: Bull's `process` handler per name,
 * and Bull's 'completed', 'failed' and 'stalled' events turned into the contract's.
 * Bull itself decides retries (attempts, and Bull's built-in backoff or the custom
 * strategy below, which is core's maths); `decideAfterFailedAttempt` says which outcome
 * Bull's decision was.
 *
 * Every Bull job name of the queue is run by the processor of the queue's name
 * (`queue.process('*')`): plain Bull producers name their jobs (`queue.add('welcome',
 * data)`), and a Bull worker fetches every job of its queue whatever its name, failing
 * those it has no handler for, so a handler for some names only would fail the rest. A
 * processor may still tell names apart (`BullJobNameProcessor`).
 */
export class BullWorker {
  /** The JobInfo each running attempt's processor was given, for its outcome's event. */
  private readonly infos = new Map<Bull.Job, JobInfo>();
  /** The delay the backoff strategy chose for a failed attempt, by its error (Bull passes the same object to both). */
  private readonly backoffDelays = new WeakMap<Error, number>();

  constructor(
    private readonly host: AttemptHost,
    private readonly queues: BullQueueRegistry,
    private readonly index: BullJobIndex,
    private readonly trimmer: FinishedJobTrimmer,
  ) {}

  /** Bull's custom backoff strategy: core's maths, so `maxDelayMs` and `jitter` hold (see `bull-backoff.ts`). */
  readonly backoffStrategy = (attemptsMade: number, error: Error, options?: unknown): number => {
    const delay = computeBackoffDelay(options as BackoffOptions | undefined, attemptsMade);
    if (error !== null && typeof error === 'object') this.backoffDelays.set(error, delay);
    return delay;
  };

  /** Listens to a new queue's events. */
  watch(name: string, queue: Bull.Queue): void {
    queue.on('error', (error: Error) => this.host.reportError(error));
    queue.on('completed', (job: Bull.Job, result: unknown) => this.onCompleted(name, job, result));
    queue.on('failed', (job: Bull.Job, error: Error) => this.onFailed(name, job, error));
    queue.on('stalled', (job: Bull.Job) => this.onStalled(name, job));
  }

  async startProcessing(name: string): Promise<void> {
    const registration = this.host.registrationOf(name);
    if (registration === undefined || this.host.isClosing()) return;
    const queue = await this.queues.queueFor(name);
    const slot = this.queues.slotOf(name)!;
    if (slot.processing) return;
    slot.processing = true;
    // Resolves only when the queue closes; errors of the loop are reported as they happen.
    queue
      .process('*', registration.concurrency, (job: Bull.Job) => this.runAttempt(name, registration, job))
      .catch((error: unknown) => this.host.reportError(toError(error)));
  }

  /** Bull's handler: one attempt of one job. */
  private async runAttempt(name: string, { processor }: Registration, job: Bull.Job): Promise<unknown> {
    if (this.host.isClosing()) {
      // Fetched as close() began: leave it to the stalled check of a worker that stays.
      return new Promise<never>(() => {});
    }
    // The timeout starts before anything is awaited, so it fires before Bull's own
    // `timeout` (set when this handler returns) and the failure carries our JobTimeoutError.
    const seriesId = seriesIdOfBullJob(job);
    const { control, context } = this.host.beginAttempt(
      job,
      // A plain job's id needs the index (below): until then, the bare Bull id names it
      // in the attempt's log lines and timeout error, as Bull's own tools do.
      { id: seriesId ?? callerIdOfBullJob(job), name, timeoutMs: job.opts.timeout },
      job.attemptsMade + 1,
      async (percent) => {
        await job.progress(percent);
      },
    );
    try {
      // A one-off job of Switchyard's needs nothing from Redis for its JobInfo: no await,
      // no extra turn per attempt. Only a job that may be plain Bull code's asks the index.
      const info =
        seriesId !== undefined
          ? await this.occurrenceInfo(name, job, seriesId)
          : isSwitchyardJobByItself(job)
            ? jobInfoFromBull(job, { name, state: 'active' })
            : jobInfoFromBull(job, { name, id: await this.idOfUnsureJob(name, job), state: 'active' });
      if (info === null) {
        // An occurrence of a series cancelled meanwhile: complete it without running it.
        this.host.endAttempt(job);
        return undefined;
      }
      this.infos.set(job, info);
      return await control.run(() => processBullJob(processor, job.name, info, context));
    } catch (error) {
      if (control.reason instanceof ProviderClosedError) {
        // Shutting down: record nothing. Bull keeps the job active until its lock expires,
        // then the stalled check runs it again, as after a crash.
        this.finishAttempt(job);
        return new Promise<never>(() => {});
      }
      throw toError(error);
    }
  }

  /** The id of a job that may be a plain one: Switchyard's if the index claims its Bull id for `name`. */
  private async idOfUnsureJob(name: string, job: Bull.Job): Promise<string> {
    const [claimedHere = false] = await this.index.claimsAmong(name, [String(job.id)]);
    return idOfBullJob(job, name, claimedHere);
  }

  private finishAttempt(job: Bull.Job): JobInfo | undefined {
    const info = this.infos.get(job);
    this.infos.delete(job);
    this.host.endAttempt(job);
    return info;
  }

  /**
   * The JobInfo the processor of an occurrence gets: state active, with its series; null
   * once a series of Switchyard's is cancelled. An occurrence of a plain Bull repeatable
   * (no series in the index, nothing showing it is Switchyard's) is a plain job.
   */
  private async occurrenceInfo(name: string, job: Bull.Job, seriesId: string): Promise<JobInfo | null> {
    const entry = await this.index.lookup(seriesId);
    if (entry?.repeat === undefined) {
      if (isSwitchyardOccurrenceByItself(job)) return null;
      return jobInfoFromBull(job, { name, id: plainJobId(name, String(job.id)), state: 'active' });
    }
    return jobInfoFromBull(job, {
      name,
      state: 'active',
      dueAt: occurrenceDueTime(job),
      series: { id: seriesId, repeat: entry.repeat, createdAt: new Date(entry.createdAt ?? job.timestamp) },
    });
  }

  private onCompleted(name: string, job: Bull.Job, result: unknown): void {
    const base = this.finishAttempt(job);
    if (base === undefined) return;
    const stored = toStoredResult(result);
    // Bull's typings say any; it is the number (or object) the processor last saved.
    const progress: unknown = job.progress();
    const info: JobInfo = {
      ...base,
      state: 'completed',
      runAt: null,
      finishedAt: new Date(job.finishedOn ?? Date.now()),
      attemptsMade: job.attemptsMade + 1,
      progress: typeof progress === 'number' ? progress : base.progress,
    };
    if (stored !== undefined) info.result = stored;
    this.host.reportCompleted(info, stored);
    if (base.repeat === undefined) this.applyRetention(name, job, 'completed', base.id);
  }

  /** After a one-off job finished for good: its retention policy (see `bull-retention.ts`). */
  private applyRetention(name: string, job: Bull.Job, state: FinishedState, id: string): void {
    const policy = retentionOfBullOptions(job.opts, state);
    if (keepsAll(policy)) return;
    if (keepsNone(policy)) {
      // Bull deleted the job as it finished it: free its id, if the index holds it (a
      // generated id is not claimed, and the command per job would cost a tenth of Bull's rate).
      if (!hasClaimedId(id, job.opts)) return;
      this.index.release([id]).catch((error: unknown) => this.host.reportError(toError(error)));
    } else {
      this.trimmer.request(name, state, policy);
    }
  }

  private onFailed(name: string, job: Bull.Job | null | undefined, error: Error): void {
    if (job === null || job === undefined) return;
    const attempted = this.finishAttempt(job);
    if (attempted !== undefined) {
      this.reportFailedAttempt(job, error, attempted);
      return;
    }
    // No attempt of ours (Bull failed a job that stalled too often, or one run elsewhere).
    this.withIdOf(name, job, (id) =>
      this.reportFailedAttempt(job, error, jobInfoFromBull(job, { name, id, state: 'active' })),
    );
  }

  private reportFailedAttempt(job: Bull.Job, error: Error, base: JobInfo): void {
    const id = base.id;
    const failedReason = error?.message ?? String(error);
    const next = decideAfterFailedAttempt({
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      // Bull gives up on a job that stalled more than maxStalledCount times, whatever its attempts.
      stalledTooOften: /stalled more than allowable limit/.test(failedReason),
    });
    if (next.kind === 'fail') {
      const info: JobInfo = {
        ...base,
        id,
        state: 'failed',
        runAt: null,
        finishedAt: new Date(job.finishedOn ?? Date.now()),
        attemptsMade: job.attemptsMade,
        failedReason,
      };
      this.host.reportFailed(info, error);
      if (base.repeat === undefined) this.applyRetention(base.name, job, 'failed', id);
      return;
    }
    // Bull delays the retry by what the strategy above returned for this very error, or
    // by its own built-in strategy's delay.
    const delayMs = this.backoffDelays.get(error) ?? bullBuiltinBackoffDelay(job.opts, job.attemptsMade) ?? 0;
    const info: JobInfo = {
      ...base,
      id,
      state: delayMs > 0 ? 'scheduled' : 'waiting',
      runAt: new Date(Date.now() + delayMs),
      attemptsMade: job.attemptsMade,
      failedReason,
    };
    this.host.reportRetrying(info, error, delayMs);
  }

  private onStalled(name: string, job: Bull.Job | null | undefined): void {
    if (job === null || job === undefined) return;
    this.withIdOf(name, job, (id) => this.host.reportStalled(id, name));
  }

  /**
   * Calls `report` with the id of a job no attempt of ours holds: at once when the job
   * shows whose it is, else once the index has said (a plain job's, or one an earlier
   * version stored under a caller's id as it was).
   */
  private withIdOf(name: string, job: Bull.Job, report: (id: string) => void): void {
    const seriesId = seriesIdOfBullJob(job);
    if (seriesId !== undefined && isSwitchyardOccurrenceByItself(job)) {
      report(seriesId);
    } else if (seriesId === undefined && isSwitchyardJobByItself(job)) {
      report(callerIdOfBullJob(job));
    } else {
      this.exactIdOf(name, job, seriesId).then(report, (error: unknown) => this.host.reportError(toError(error)));
    }
  }

  private async exactIdOf(name: string, job: Bull.Job, seriesId: string | undefined): Promise<string> {
    if (seriesId !== undefined && (await this.index.seriesAmong([seriesId]))[0] === true) return seriesId;
    return this.idOfUnsureJob(name, job);
  }
}
