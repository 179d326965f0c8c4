import type Bull from 'bull';
import type { Redis } from 'ioredis';
import type { CleanOptions, Logger, ValidatedSchedule } from '@switchyard/core';
import { newJobId } from '@switchyard/core/provider-kit';
import { BullJobIndex, bullJobIdOf, newIndexEntry, type IndexEntry } from './bull-job-index.js';
import type { BullKeys } from './bull-keys.js';
import type { BullQueueRegistry } from './bull-queue-registry.js';
import { BULL_DEFAULT_JOB_NAME, bullOccurrenceId, bullRepeatKey, toBullRepeat } from './bull-repeat.js';
import { toBullJobOptions, type NewJobIdOrigin } from './to-bull-job-options.js';

/** What the writer needs of the provider. */
export interface BullWriteAccess {
  redis(): Redis;
  keys: BullKeys;
  index: BullJobIndex;
  queues: BullQueueRegistry;
  logger: Logger;
  providerName: string;
}

/**
 * A failed job back to waiting with a fresh set of attempts: Bull's retry keeps the
 * count, so it is reset first, and only if the job is failed. KEYS: the job hash, the
 * queue's `failed` set; ARGV: the Bull job id. Returns 1 when reset, 0 when not failed.
 */
const RESET_FAILED_ATTEMPTS_SCRIPT =
  "if redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('HSET', KEYS[1], 'attemptsMade', 0) return 1 end return 0";

/** Everything the Bull provider writes: new jobs, cancels, retries, cleaning and pauses. */
export class BullJobWriter {
  constructor(private readonly access: BullWriteAccess) {}

  async schedule(schedule: ValidatedSchedule, now: number): Promise<string> {
    if (schedule.jobId === undefined && schedule.repeat === undefined) {
      // A fresh random id: nothing to claim (see BullJobIndex), so one Redis call.
      const id = newJobId();
      await this.addJob(schedule, id, now, 'generated');
      return id;
    }
    return this.addClaimedJob(schedule, now);
  }

  /** Claims the caller's id (or a repeating job's) and adds the job, unless the id was taken. */
  private async addClaimedJob(schedule: ValidatedSchedule, now: number): Promise<string> {
    const id = schedule.jobId ?? newJobId();
    const entry = newIndexEntry(
      id,
      schedule.name,
      schedule.repeat === undefined ? undefined : { repeat: schedule.repeat, createdAt: now },
    );
    if (!(await this.access.index.claim(id, entry))) {
      await this.addIfClaimedWithoutJob(id, schedule, now);
      return id;
    }
    try {
      if (schedule.repeat !== undefined) {
        await this.access.index.rememberRepeatKey(bullRepeatKey(bullJobIdOf(id, entry), schedule.repeat), id);
      }
      await this.addJob(schedule, id, now, 'claimed');
    } catch (error) {
      // Nothing was stored: free the id again.
      await this.access.index.release([id]).catch(() => undefined);
      throw error;
    }
    return id;
  }

  private async addJob(schedule: ValidatedSchedule, id: string, now: number, origin: NewJobIdOrigin): Promise<void> {
    const queue = this.access.queues.usableQueue(schedule.name) ?? (await this.access.queues.queueFor(schedule.name));
    const job = toBullJobOptions(schedule, id, now, origin);
    await queue.add(BULL_DEFAULT_JOB_NAME, job.data, job.opts);
    this.access.logger.debug('job scheduled', {
      provider: this.access.providerName,
      jobName: schedule.name,
      jobId: id,
    });
  }

  /**
   * The id is taken, nearly always by its stored job. But a claim can be left without
   * its job when Redis goes away mid-call: ioredis sends a command whose reply was lost
   * again once reconnected, and that second claim finds the first one's (so the call
   * that made it would add nothing); or the add failed and so did freeing the id, and the
   * caller tries again. Then the job is added now. Bull adds nothing for an id its queue
   * already holds, so a producer racing on the same id cannot double the job.
   */
  private async addIfClaimedWithoutJob(id: string, schedule: ValidatedSchedule, now: number): Promise<void> {
    if (schedule.repeat !== undefined) return;
    const entry = await this.access.index.lookup(id);
    if (entry === null || entry.name !== schedule.name || entry.repeat !== undefined) return;
    const queue = await this.access.queues.queueFor(schedule.name);
    if ((await queue.getJob(bullJobIdOf(id, entry))) !== null) return;
    // An entry an earlier version wrote names the verbatim id: point it at the job added now.
    const current = newIndexEntry(id, schedule.name);
    if (current.bullJobId !== entry.bullJobId) await this.access.index.overwrite(id, current);
    await this.addJob(schedule, id, now, 'claimed');
    this.access.logger.warn('job id was claimed without its job (Redis connection lost mid-call): job added', {
      provider: this.access.providerName,
      jobName: schedule.name,
      jobId: id,
    });
  }

  async cancel(jobId: string): Promise<boolean> {
    const entry = await this.access.index.resolve(jobId);
    if (entry === null) return false;
    return (await this.removeJob(jobId, entry)) === 'removed';
  }

  /**
   * Removes a job that is not running, and frees its id. A repeating job loses its
   * repeatable (so no occurrence follows) and its pending occurrence; one running now
   * finishes.
   */
  async removeJob(jobId: string, entry: IndexEntry): Promise<'removed' | 'active' | 'missing'> {
    const { index, queues, keys } = this.access;
    const queue = await queues.queueFor(entry.name);
    const bullJobId = bullJobIdOf(jobId, entry);
    if (entry.repeat !== undefined) {
      const repeatKey = bullRepeatKey(bullJobId, entry.repeat);
      const nextMillis = await this.access.redis().zscore(keys.queue(entry.name, 'repeat'), repeatKey);
      // Removes the repeatable and, if still delayed, its next occurrence, in one script.
      await queue.removeRepeatable({ ...toBullRepeat(entry.repeat), jobId: bullJobId });
      if (nextMillis !== null) {
        // An occurrence already due (waiting, e.g. while paused) is no longer delayed: remove it too.
        const occurrence = await queue.getJob(bullOccurrenceId(bullJobId, repeatKey, Number(nextMillis)));
        if (occurrence !== null) await occurrence.remove().catch(() => undefined);
      }
      await index.release([jobId]);
      await index.forgetRepeatKey(repeatKey);
      return 'removed';
    }
    const job = await queue.getJob(bullJobId);
    if (job === null) {
      await index.release([jobId]);
      return 'missing';
    }
    try {
      await job.remove();
    } catch (error) {
      // Bull refuses to remove a locked (active) job.
      if (/Could not remove job/.test((error as Error).message)) return 'active';
      throw error;
    }
    await index.release([jobId]);
    return 'removed';
  }

  async retry(jobId: string): Promise<boolean> {
    const entry = await this.access.index.resolve(jobId);
    if (entry === null || entry.repeat !== undefined) return false;
    const queue = await this.access.queues.queueFor(entry.name);
    const bullJobId = bullJobIdOf(jobId, entry);
    const keys = this.access.keys;
    const reset = await this.access
      .redis()
      .eval(
        RESET_FAILED_ATTEMPTS_SCRIPT,
        2,
        keys.queue(entry.name, bullJobId),
        keys.queue(entry.name, 'failed'),
        bullJobId,
      );
    if (reset !== 1) return false;
    const job = await queue.getJob(bullJobId);
    if (job === null) return false;
    try {
      await job.retry();
    } catch (error) {
      // Retried (or removed) by someone else in between.
      this.access.logger.debug('retry refused by Bull', {
        provider: this.access.providerName,
        jobId,
        error: (error as Error).message,
      });
      return false;
    }
    return true;
  }

  async clean({ states, olderThanMs }: CleanOptions): Promise<number> {
    let removed = 0;
    for (const name of await this.access.queues.knownNames()) {
      const queue = await this.access.queues.queueFor(name);
      for (const state of states) {
        const ids = (await queue.clean(olderThanMs, state)) as unknown[];
        removed += ids.length;
        await this.access.index.releaseBullJobIds(
          name,
          ids.map((id) => String((id as { id?: unknown })?.id ?? id)),
        );
      }
    }
    return removed;
  }

  /** One name's Bull queue, or every known one plus the flag that names first used later will read. */
  async setPaused(name: string | undefined, paused: boolean): Promise<void> {
    const apply = (queue: Bull.Queue) => (paused ? queue.pause() : queue.resume());
    const { queues, index } = this.access;
    if (name !== undefined) {
      await apply(await queues.queueFor(name));
      return;
    }
    await index.setPausedEverywhere(paused);
    await Promise.all((await queues.knownNames()).map(async (each) => apply(await queues.queueFor(each))));
  }
}
