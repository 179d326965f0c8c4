import type Bull from 'bull';
import type { Redis } from 'ioredis';
import {
  compareByCreation,
  emptyJobCounts,
  toJobSnapshot,
  type JobInfo,
  type JobSnapshot,
  type SnapshotRetention,
  type JobState,
  type JobStats,
  type NormalizedListQuery,
} from '@switchyard/core';
import { bullJobIdOf, type BullJobIndex, type IndexEntry } from './bull-job-index.js';
import {
  BULL_STATES_OF,
  dueTimeOfDelayedScore,
  jobCountsFromBull,
  toJobState,
  type BullState,
} from './bull-job-state.js';
import type { BullKeys } from './bull-keys.js';
import { retentionOfBullOptions } from './bull-retention.js';
import type { BullQueueRegistry } from './bull-queue-registry.js';
import { bullOccurrenceId, bullRepeatKey } from './bull-repeat.js';
import { jobInfoFromBull, seriesIdOfBullJob } from './job-info-from-bull.js';
import {
  idOfBullJob,
  isSwitchyardJobByItself,
  isSwitchyardOccurrenceByItself,
  plainJobId,
} from './plain-bull-job-id.js';

/** How many jobs one Redis read fetches when listing or exporting. */
const PAGE_SIZE = 100;

/** What the reader needs of the provider. */
export interface BullReadAccess {
  redis(): Redis;
  keys: BullKeys;
  index: BullJobIndex;
  queues: BullQueueRegistry;
}

/**
 * Everything the Bull provider reads: one job by id, listings, stats and the export
 * stream, from Bull's lists and sets and the job index. Nothing here writes.
 */
export class BullJobReader {
  constructor(private readonly access: BullReadAccess) {}

  async getJob(jobId: string): Promise<JobInfo | null> {
    const entry = await this.access.index.resolve(jobId);
    return entry === null ? null : this.jobInfo(jobId, entry);
  }

  async jobInfo(jobId: string, entry: IndexEntry): Promise<JobInfo | null> {
    if (entry.repeat !== undefined) return this.seriesInfo(jobId, entry);
    const queue = await this.access.queues.queueFor(entry.name);
    const bullJobId = bullJobIdOf(jobId, entry);
    const job = await queue.getJob(bullJobId);
    if (job === null) return null;
    const location = await this.locate(entry.name, bullJobId);
    const id = entry.plain === true ? plainJobId(entry.name, bullJobId) : undefined;
    return jobInfoFromBull(job, { name: entry.name, ...(id === undefined ? {} : { id }), ...location });
  }

  /** A repeating job: the newest occurrence Bull keeps for it, shown under the series id. */
  async seriesInfo(jobId: string, entry: IndexEntry): Promise<JobInfo | null> {
    if (entry.repeat === undefined) return null;
    const queue = await this.access.queues.queueFor(entry.name);
    const bullJobId = bullJobIdOf(jobId, entry);
    const repeatKey = bullRepeatKey(bullJobId, entry.repeat);
    // Bull moves the repeatable's score before it adds the occurrence: look again if we fall in between.
    for (let tries = 0; tries < 3; tries += 1) {
      const nextMillis = await this.access.redis().zscore(this.access.keys.queue(entry.name, 'repeat'), repeatKey);
      if (nextMillis === null) return null;
      const occurrenceId = bullOccurrenceId(bullJobId, repeatKey, Number(nextMillis));
      const job = await queue.getJob(occurrenceId);
      if (job === null) continue;
      const { state } = await this.locate(entry.name, occurrenceId);
      return jobInfoFromBull(job, {
        name: entry.name,
        state,
        dueAt: new Date(Number(nextMillis)),
        series: { id: jobId, repeat: entry.repeat, createdAt: new Date(entry.createdAt ?? job.timestamp) },
      });
    }
    return null;
  }

  /** Which of Bull's lists or sets holds the job, in one round trip. */
  private async locate(name: string, bullJobId: string): Promise<{ state: JobState; dueAt?: Date }> {
    const key = (suffix: string) => this.access.keys.queue(name, suffix);
    const results =
      (await this.access
        .redis()
        .pipeline()
        .zscore(key('completed'), bullJobId)
        .zscore(key('failed'), bullJobId)
        .zscore(key('delayed'), bullJobId)
        .lpos(key('active'), bullJobId)
        .lpos(key('wait'), bullJobId)
        .lpos(key('paused'), bullJobId)
        .exec()) ?? [];
    const order: BullState[] = ['completed', 'failed', 'delayed', 'active', 'wait', 'paused'];
    for (const [index, bullState] of order.entries()) {
      const [error, value] = results[index] ?? [null, null];
      if (error) throw error;
      if (value !== null && value !== undefined) {
        return bullState === 'delayed'
          ? { state: 'scheduled', dueAt: dueTimeOfDelayedScore(Number(value)) }
          : { state: toJobState(bullState) };
      }
    }
    return { state: toJobState(null) };
  }

  async listJobs({ names, states, limit, offset }: NormalizedListQuery): Promise<JobInfo[]> {
    const byId = new Map<string, JobInfo>();
    for (const name of await this.namesToRead(names)) {
      // A job that moves from one list to another while we read may be seen twice.
      for await (const { info } of this.jobsOf(name, states)) byId.set(info.id, info);
    }
    return [...byId.values()].sort(compareByCreation).slice(offset, offset + limit);
  }

  async getStats(name: string | undefined): Promise<JobStats> {
    const { index, queues } = this.access;
    if (name !== undefined) {
      if ((await queues.usedNames([name])).length === 0)
        return { ...emptyJobCounts(), paused: await index.isPausedEverywhere() };
      const queue = await queues.queueFor(name);
      const [counts, paused] = await Promise.all([queue.getJobCounts(), queue.isPaused()]);
      return { ...jobCountsFromBull(counts as unknown as Record<string, number>), paused };
    }
    const stats: JobStats = { ...emptyJobCounts(), paused: await index.isPausedEverywhere() };
    for (const each of await queues.knownNames()) {
      const counts = jobCountsFromBull(
        (await (await queues.queueFor(each)).getJobCounts()) as unknown as Record<string, number>,
      );
      for (const state of Object.keys(counts) as JobState[]) stats[state] += counts[state];
    }
    return stats;
  }

  /** The export stream: a page of one name at a time, never every job in memory. */
  async *exportJobs(names: string[] | null, states: JobState[]): AsyncIterable<JobSnapshot> {
    for (const name of await this.namesToRead(names)) {
      for await (const { info, retention } of this.jobsOf(name, states)) yield toJobSnapshot(info, retention);
    }
  }

  private async namesToRead(names: string[] | null): Promise<string[]> {
    return names === null ? this.access.queues.knownNames() : this.access.queues.usedNames(names);
  }

  /**
   * The jobs of one name in the given states, read a page at a time from Bull's lists
   * and sets, then its repeating jobs from the queue's repeatables.
   */
  private async *jobsOf(
    name: string,
    states: readonly JobState[],
  ): AsyncGenerator<{ info: JobInfo; retention: SnapshotRetention }> {
    const queue = await this.access.queues.queueFor(name);
    for (const state of states) {
      for (const bullState of BULL_STATES_OF[state]) {
        for (let start = 0; ; start += PAGE_SIZE) {
          const page = await this.withoutSeriesOccurrences(
            await queue.getJobs([bullState as Bull.JobStatus], start, start + PAGE_SIZE - 1, true),
          );
          const dueTimes = bullState === 'delayed' ? await this.delayedDueTimes(name, page) : undefined;
          const ids = await this.idsOf(name, page);
          for (const [index, job] of page.entries()) {
            const dueAt = dueTimes?.[index];
            yield {
              info: jobInfoFromBull(job, { name, id: ids[index], state, ...(dueAt === undefined ? {} : { dueAt }) }),
              retention: {
                removeOnComplete: retentionOfBullOptions(job.opts, 'completed'),
                removeOnFail: retentionOfBullOptions(job.opts, 'failed'),
              },
            };
          }
          if (page.length < PAGE_SIZE && start + PAGE_SIZE >= (await this.sizeOf(name, bullState))) break;
        }
      }
    }
    for (let start = 0; ; start += PAGE_SIZE) {
      const repeatables = await queue.getRepeatableJobs(start, start + PAGE_SIZE - 1, true);
      const ids = await this.access.index.idsOfRepeatKeys(repeatables.map((repeatable) => repeatable.key));
      for (const id of ids) {
        if (id === null) continue;
        const entry = await this.access.index.lookup(id);
        const info = entry === null ? null : await this.seriesInfo(id, entry);
        // A series' occurrences are removed as they finish; the series keeps every job it is.
        if (info !== null && states.includes(info.state)) yield { info, retention: {} };
      }
      if (repeatables.length < PAGE_SIZE) break;
    }
  }

  /**
   * A page less the occurrences of Switchyard's repeating jobs, which are listed as their
   * series (below); occurrences of plain Bull repeatables stay, as plain jobs.
   */
  private async withoutSeriesOccurrences(jobs: (Bull.Job | null | undefined)[]): Promise<Bull.Job[]> {
    const present = jobs.filter((job): job is Bull.Job => job !== null && job !== undefined);
    const unsure = present.filter(
      (job) => seriesIdOfBullJob(job) !== undefined && !isSwitchyardOccurrenceByItself(job),
    );
    const held = await this.access.index.seriesAmong(unsure.map((job) => seriesIdOfBullJob(job) ?? ''));
    const ofSeries = new Set(unsure.filter((_, index) => held[index]));
    return present.filter((job) => !isSwitchyardOccurrenceByItself(job) && !ofSeries.has(job));
  }

  /** The ids a page of jobs of `name` is known by: Switchyard's own, or plain jobs' `<queue>:<bull id>`. */
  private async idsOf(name: string, jobs: Bull.Job[]): Promise<string[]> {
    const unsure = jobs.filter((job) => !isSwitchyardJobByItself(job));
    const claims = await this.access.index.claimsAmong(
      name,
      unsure.map((job) => String(job.id)),
    );
    const claimed = new Set(unsure.filter((_, index) => claims[index]));
    return jobs.map((job) => idOfBullJob(job, name, claimed.has(job)));
  }

  /**
   * How many ids one of Bull's lists or sets holds. Occurrences of repeating jobs are
   * left out of a page, so a short page alone does not prove it was the last.
   */
  private async sizeOf(name: string, bullState: BullState): Promise<number> {
    const key = this.access.keys.queue(name, bullState);
    const isList = bullState === 'wait' || bullState === 'paused' || bullState === 'active';
    return isList ? this.access.redis().llen(key) : this.access.redis().zcard(key);
  }

  private async delayedDueTimes(name: string, jobs: Bull.Job[]): Promise<(Date | undefined)[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.access.redis().pipeline();
    for (const job of jobs) pipeline.zscore(this.access.keys.queue(name, 'delayed'), String(job.id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, score]) =>
      score === null || score === undefined ? undefined : dueTimeOfDelayedScore(Number(score)),
    );
  }
}
