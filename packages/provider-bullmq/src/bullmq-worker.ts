import { WaitingError, type Job, type Worker } from 'bullmq';
import {
  ProviderClosedError,
  computeBackoffDelay,
  keepsAll,
  keepsNone,
  toError,
  toStoredResult,
  type JobInfo,
} from '@switchyard/core';
import { decideAfterFailedAttempt, type AttemptHost, type Registration } from '@switchyard/core/provider-kit';
import type { BullMQBackend } from './bullmq-backend.js';
import { fromBullMQJobId } from './bullmq-job-id.js';
import { retentionOfBullMQJob } from './bullmq-retention.js';
import type { FinishedJobTrimmer, FinishedState } from './finished-job-trimmer.js';
import type { LocalPauses } from './local-pauses.js';
import type { PendingReleases } from './pending-releases.js';
import { jobInfoFromBullMQ, type BullMQJobContext } from './job-info-from-bullmq.js';
import { metaOf } from './to-bullmq-job-options.js';

/** BullMQ's stall settings, as the provider's options give them. */
export interface StallSettings {
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
}

/**
 * Runs the jobs of the registered names: one BullMQ `Worker` per name with that name's
 * concurrency, and the worker's 'completed', 'failed' and 'stalled' events turned into
 * the contract's. BullMQ decides retries itself (`attempts`, its backoff types, and the
 * custom strategy below for caps and jitter); `decideAfterFailedAttempt` says which
 * outcome BullMQ's decision was.
 */
export class BullMQWorkers {
  private readonly workers = new Map<string, Worker>();
  /** The JobInfo each running attempt's processor was given, for its outcome's event. */
  private readonly infos = new Map<Job, JobInfo>();
  /** The delay the custom strategy chose for a failed attempt, by its error (BullMQ hands both the same object). */
  private readonly backoffDelays = new WeakMap<Error, number>();

  constructor(
    private readonly host: AttemptHost,
    private readonly backend: () => BullMQBackend,
    private readonly queueReady: (name: string) => Promise<unknown>,
    private readonly stall: StallSettings,
    private readonly trimmer: FinishedJobTrimmer,
    private readonly releases: PendingReleases,
    private readonly pauses: LocalPauses,
  ) {}

  /** BullMQ's custom backoff strategy: core's maths, so `maxDelayMs` and `jitter` hold. */
  readonly backoffDelay = (
    attemptsMade: number,
    _type: string | undefined,
    error: Error | undefined,
    job?: Pick<Job, 'opts'>,
  ): number => {
    const delay = computeBackoffDelay(metaOf(job?.opts).backoff, attemptsMade);
    if (error !== null && typeof error === 'object') this.backoffDelays.set(error, delay);
    return delay;
  };

  async startProcessing(name: string): Promise<void> {
    const registration = this.host.registrationOf(name);
    if (registration === undefined || this.host.isClosing() || this.workers.has(name)) return;
    const worker = this.backend().newWorker(name, (job, token) => this.runAttempt(name, registration, job, token), {
      concurrency: registration.concurrency,
      ...this.stall,
      settings: { backoffStrategy: this.backoffDelay },
    });
    this.workers.set(name, worker);
    worker.on('error', (error: Error) => this.host.reportError(error));
    worker.on('completed', (job: Job, result: unknown) => this.onCompleted(name, job, result));
    worker.on('failed', (job: Job | undefined, error: Error) => this.onFailed(name, job, error));
    worker.on('stalled', (jobId: string) => this.host.reportStalled(fromBullMQJobId(jobId), name));
    // The name's queue too, so the first job scheduled for it does not wait for its set-up.
    await Promise.all([worker.waitUntilReady(), this.queueReady(name)]);
    this.backend().wakeUps?.watch(name);
  }

  /** Takes no new job; running attempts go on. */
  async stopFetching(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.pause(true)));
  }

  /** Closes every worker without waiting for attempts (the kit has waited for them, or aborted them). */
  async closeAll(): Promise<void> {
    this.backend().wakeUps?.close();
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((worker) => worker.close(true)));
  }

  /** One attempt of one job: BullMQ's processor function. */
  private async runAttempt(name: string, { processor }: Registration, job: Job, token?: string): Promise<unknown> {
    if (this.host.isClosing()) {
      // Fetched as close() began: its lock expires and a worker that stays runs it.
      return new Promise<never>(() => {});
    }
    if (this.pauses.holds(name) && (await this.pauses.holdsNow(name))) return this.handBack(job, token);
    const info = jobInfoFromBullMQ(job, { name, state: 'active', ...seriesOf(job) });
    const { control, context } = this.host.beginAttempt(
      job,
      { id: info.id, name, timeoutMs: info.timeoutMs },
      job.attemptsMade + 1,
      async (percent) => {
        await job.updateProgress(percent);
      },
    );
    this.infos.set(job, info);
    try {
      return await control.run(() => processor.process(info, context));
    } catch (error) {
      if (control.reason instanceof ProviderClosedError) {
        // Shutting down: record nothing. The job stays active until its lock expires,
        // then a stalled check runs it again, as after a crash.
        this.finishAttempt(job);
        return new Promise<never>(() => {});
      }
      throw toError(error);
    }
  }

  /**
   * A job claimed as its name was paused here (see `local-pauses.ts`) goes back to
   * waiting, not started: BullMQ's worker takes a `WaitingError` as "moved, not failed".
   * If the move fails, the job stays active until its lock expires and the stalled
   * check puts it back.
   */
  private async handBack(job: Job, token: string | undefined): Promise<never> {
    try {
      await job.moveToWait(token);
    } catch (error) {
      this.host.reportError(toError(error));
    }
    throw new WaitingError();
  }

  private finishAttempt(job: Job): JobInfo | undefined {
    const info = this.infos.get(job);
    this.infos.delete(job);
    this.host.endAttempt(job);
    return info;
  }

  private onCompleted(name: string, job: Job, result: unknown): void {
    const base = this.finishAttempt(job) ?? jobInfoFromBullMQ(job, { name, state: 'active', ...seriesOf(job) });
    const stored = toStoredResult(result);
    const info: JobInfo = {
      ...base,
      state: 'completed',
      runAt: null,
      finishedAt: new Date(job.finishedOn ?? Date.now()),
      attemptsMade: job.attemptsMade,
      progress: typeof job.progress === 'number' ? job.progress : base.progress,
    };
    if (stored !== undefined) info.result = stored;
    this.host.reportCompleted(info, stored);
    // A series' next iteration waits in the delayed set now.
    if (base.repeat !== undefined) this.backend().wakeUps?.refresh(name);
    else this.applyRetention(name, job, 'completed', base.id);
  }

  /** After a one-off job finished for good: its retention policy (see `bullmq-retention.ts`). */
  private applyRetention(name: string, job: Job, state: FinishedState, id: string): void {
    const policy = retentionOfBullMQJob(job.opts, state);
    if (keepsAll(policy)) return;
    if (keepsNone(policy)) {
      // BullMQ deleted the job as it finished it: free its id, if the directory holds it.
      if (metaOf(job.opts).unclaimed !== true) this.releases.add(id);
    } else {
      this.trimmer.request(name, state, policy);
    }
  }

  private onFailed(name: string, job: Job | undefined, error: Error): void {
    if (job === undefined) return;
    const base = this.finishAttempt(job) ?? jobInfoFromBullMQ(job, { name, state: 'active', ...seriesOf(job) });
    const failedReason = error?.message ?? String(error);
    const next = decideAfterFailedAttempt({
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      backoff: base.backoff,
      stalledTooOften: /stalled more than allowable limit|started more than allowable limit/.test(failedReason),
    });
    if (next.kind === 'fail') {
      this.host.reportFailed(
        {
          ...base,
          state: 'failed',
          runAt: null,
          finishedAt: new Date(job.finishedOn ?? Date.now()),
          attemptsMade: job.attemptsMade,
          failedReason,
        },
        error,
      );
      if (base.repeat === undefined) this.applyRetention(name, job, 'failed', base.id);
      return;
    }
    const delayMs = this.backoffDelays.get(error) ?? next.delayMs;
    const info: JobInfo = {
      ...base,
      state: delayMs > 0 ? 'scheduled' : 'waiting',
      runAt: new Date(Date.now() + delayMs),
      attemptsMade: job.attemptsMade,
      failedReason,
    };
    this.host.reportRetrying(info, error, delayMs);
    if (delayMs > 0) this.backend().wakeUps?.noteDue(name, info.runAt!.getTime());
  }
}

/** For an iteration of a job scheduler, the series it belongs to (its template's `switchyard` part). */
export function seriesOf(job: Pick<Job, 'opts' | 'timestamp' | 'repeatJobKey'>): Pick<BullMQJobContext, 'series'> {
  const meta = metaOf(job.opts);
  if (meta.repeat === undefined || job.repeatJobKey === undefined) return {};
  return {
    series: {
      id: meta.id ?? fromBullMQJobId(job.repeatJobKey),
      repeat: meta.repeat,
      createdAt: new Date(meta.createdAt ?? job.timestamp),
    },
  };
}
