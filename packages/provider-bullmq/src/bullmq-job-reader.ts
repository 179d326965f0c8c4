import type { Job, JobState as BullMQState } from 'bullmq';
import {
  compareByCreation,
  emptyJobCounts,
  toJobSnapshot,
  type SnapshotRetention,
  type JobInfo,
  type JobSnapshot,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
} from '@switchyard/core';
import type { BullMQBackend } from './bullmq-backend.js';
import { retentionOfBullMQJob } from './bullmq-retention.js';
import { toBullMQJobId } from './bullmq-job-id.js';
import type { BullMQQueues } from './bullmq-queues.js';
import { iterationJobId } from './bullmq-repeat.js';
import { seriesOf } from './bullmq-worker.js';
import { BULLMQ_STATES_OF, jobInfoFromBullMQ, toJobState } from './job-info-from-bullmq.js';

/** Where a job is kept. */
export interface JobLocation {
  name: string;
  bullmqId: string;
}

/** A job as read, with what an export needs besides its JobInfo. */
interface ReadJob {
  info: JobInfo;
  bullmqId: string;
  retention: SnapshotRetention;
}

/**
 * Everything the provider reads: one job by id, listings, stats and the export, through
 * BullMQ's `Queue` getters (the same on Redis and PostgreSQL) and the job directory.
 * A job scheduler's iterations are shown as one job with the series' id.
 */
export class BullMQJobReader {
  constructor(
    private readonly backend: () => BullMQBackend,
    private readonly queues: BullMQQueues,
  ) {}

  async getJob(jobId: string): Promise<JobInfo | null> {
    const location = await this.locate(jobId);
    if (location === null) return null;
    const job = await this.queues.queueFor(location.name).getJob(location.bullmqId);
    if (job !== undefined && job !== null) return (await this.read(location.name, job))?.info ?? null;
    return this.seriesInfo(location.name, location.bullmqId);
  }

  /**
   * Where the job the caller knows as `jobId` is: its name and BullMQ id. An id the
   * directory does not know may be a job another BullMQ producer added to a queue of
   * the provider's: it is looked for under every known name (a numeric id as it is:
   * BullMQ's own counter hands those out, and the provider stores none unencoded).
   */
  async locate(jobId: string): Promise<JobLocation | null> {
    const { directory, kind } = this.backend();
    // PostgreSQL text cannot hold U+0000, so no job there has such an id (scheduleJob
    // refuses control characters in ids anyway), and a query naming one would fail.
    if (kind === 'postgres' && jobId.includes('\u0000')) return null;
    const name = await directory.nameOf(jobId);
    if (name !== null) return { name, bullmqId: toBullMQJobId(jobId) };
    const bullmqId = /^\d+$/.test(jobId) ? jobId : toBullMQJobId(jobId);
    const names = await directory.names();
    const found = await Promise.all(names.map((each) => this.queues.queueFor(each).getJob(bullmqId)));
    const index = found.findIndex((job) => job !== undefined && job !== null);
    return index === -1 ? null : { name: names[index]!, bullmqId };
  }

  /** A job scheduler as one job: its next iteration (or the one running), due at the scheduler's next run. */
  async seriesInfo(name: string, schedulerId: string): Promise<JobInfo | null> {
    const queue = this.queues.queueFor(name);
    const scheduler = await queue.getJobScheduler(schedulerId);
    if (scheduler === undefined || scheduler === null || typeof scheduler.next !== 'number') return null;
    const iteration = await queue.getJob(iterationJobId(schedulerId, scheduler.next));
    if (iteration === undefined || iteration === null) return null;
    return (await this.read(name, iteration))?.info ?? null;
  }

  async listJobs({ names, states, limit, offset }: NormalizedListQuery): Promise<JobInfo[]> {
    const jobs = await this.readAll(names, states);
    return jobs
      .map(({ info }) => info)
      .sort(compareByCreation)
      .slice(offset, offset + limit);
  }

  async getStats(name: string | undefined): Promise<JobStats> {
    const names = name === undefined ? await this.backend().directory.names() : [name];
    const counts = emptyJobCounts();
    let pausedNames = 0;
    for (const each of names) {
      const queue = this.queues.queueFor(each);
      const [byState, paused] = await Promise.all([
        queue.getJobCounts(...Object.values(BULLMQ_STATES_OF).flat()),
        queue.isPaused(),
      ]);
      for (const [state, bullmqStates] of Object.entries(BULLMQ_STATES_OF) as [JobState, BullMQState[]][]) {
        for (const bullmqState of bullmqStates) counts[state] += byState[bullmqState] ?? 0;
      }
      if (paused) pausedNames += 1;
    }
    return { ...counts, paused: names.length > 0 && pausedNames === names.length };
  }

  async *exportJobs(names: string[] | null, states: JobState[]): AsyncIterable<JobSnapshot> {
    for (const { info, retention } of await this.readAll(names, states)) yield toJobSnapshot(info, retention);
  }

  /** Every job of `names` (every known name when null) in `states`; a series once. */
  private async readAll(names: string[] | null, states: JobState[]): Promise<ReadJob[]> {
    const wanted = new Set(states);
    const all: ReadJob[] = [];
    const seriesSeen = new Set<string>();
    for (const name of names ?? (await this.backend().directory.names())) {
      const queue = this.queues.queueFor(name);
      // Delayed jobs already due read as waiting: ask for them whenever either is wanted.
      const bullmqStates = new Set<BullMQState>();
      for (const state of wanted) for (const each of BULLMQ_STATES_OF[state]) bullmqStates.add(each);
      if (wanted.has('waiting')) bullmqStates.add('delayed');
      // One read per BullMQ state, so each job's state is known without asking for it.
      const byState = await Promise.all(
        [...bullmqStates].map(async (bullmqState) => {
          const live = await this.backend().jobsIn(queue, bullmqState);
          const dueTimes =
            bullmqState === 'delayed'
              ? await this.backend().dueTimesOf(
                  name,
                  live.map((job) => String(job.id)),
                )
              : undefined;
          return Promise.all(live.map((job) => this.read(name, job, bullmqState, dueTimes)));
        }),
      );
      const seen = new Set<string>();
      for (const job of byState.flat()) {
        if (job === null || !wanted.has(job.info.state)) continue;
        // A job that moved on between two reads is shown once.
        if (seen.has(job.bullmqId)) continue;
        seen.add(job.bullmqId);
        if (job.info.repeat !== undefined) {
          if (seriesSeen.has(job.info.id)) continue;
          seriesSeen.add(job.info.id);
        }
        all.push(job);
      }
    }
    return all;
  }

  /**
   * A BullMQ job as the contract sees it (in `knownState`, else as BullMQ says now; due
   * at its time in `dueTimes` when the caller read those for many jobs at once); null if
   * it went away meanwhile.
   */
  private async read(
    name: string,
    job: Job,
    knownState?: BullMQState,
    dueTimes?: Map<string, number>,
  ): Promise<ReadJob | null> {
    const bullmqState = knownState ?? (await job.getState());
    const dueAt =
      bullmqState !== 'delayed'
        ? null
        : ((dueTimes ?? (await this.backend().dueTimesOf(name, [String(job.id)]))).get(String(job.id)) ?? null);
    const state = toJobState(bullmqState, dueAt ?? job.timestamp + (job.opts.delay ?? 0), Date.now());
    if (state === null) return null;
    const series = seriesOf(job);
    const info = jobInfoFromBullMQ(job, { name, state, dueAt, ...series });
    if (series.series !== undefined && state !== 'active') {
      // The series is due at its iteration's due time.
      info.runAt = new Date(dueAt ?? (job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp);
    }
    return {
      info,
      bullmqId: String(job.id),
      // A series' iterations are removed as they finish; the series keeps every job it is.
      retention:
        series.series === undefined
          ? {
              removeOnComplete: retentionOfBullMQJob(job.opts, 'completed'),
              removeOnFail: retentionOfBullMQJob(job.opts, 'failed'),
            }
          : {},
    };
  }
}
