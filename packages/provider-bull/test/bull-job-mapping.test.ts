import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { validateSchedule, type BackoffOptions, type RepeatOptions } from '@switchyard/core';
import { jobCountsFromBull, toBullJobOptions, toJobState, snapshotToBullJobOptions } from '@switchyard/provider-bull';
import { bullOccurrenceId, bullRepeatKey, BULL_DEFAULT_JOB_NAME } from '../src/bull-repeat.js';
import { dueTimeOfDelayedScore } from '../src/bull-job-state.js';
import { dataOfBullJob } from '../src/to-bull-job-options.js';
import { redisOptionsFromUrl } from '../src/bull-connection.js';
import { startRedis } from '../../../test/support/start-redis.js';

describe('Bull mapping', () => {
  describe('toBullJobOptions', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');

    it('maps every option onto a native Bull option', () => {
      const backoff = { type: 'exponential', delayMs: 100, maxDelayMs: 1000, jitter: 0.5 } as const;
      const schedule = validateSchedule(
        'mail',
        { to: 'a' },
        { delayMs: 5000, priority: 2, attempts: 4, backoff, timeoutMs: 300, removeOnComplete: true },
        {},
        new Date(now),
      );
      const { data, opts } = toBullJobOptions(schedule, 'job-1', now);

      expect(data).to.deep.equal({ to: 'a' });
      expect(opts).to.deep.equal({
        jobId: 'job-1',
        timestamp: now,
        delay: 5000,
        priority: 2,
        attempts: 4,
        backoff: { type: 'switchyard', options: backoff },
        timeout: 300,
        removeOnComplete: true,
        switchyardId: 'job-1',
      });
    });

    it('keeps a generated id as the Bull id with nothing else, and marks a claimed id of that shape', () => {
      const schedule = validateSchedule('mail', {}, {}, {}, new Date(now));
      const uuid = '0b0e4a7c-52f1-4f4e-9d3a-6b7f2c1d8e90';
      const generated = toBullJobOptions(schedule, uuid, now, 'generated').opts;
      expect(generated).to.deep.equal({ jobId: uuid, timestamp: now, delay: 0, priority: 5, attempts: 3 });
      // A caller's id of the same shape is claimed in the index: the worker frees it when Bull deletes the job.
      const claimed = toBullJobOptions(schedule, uuid, now, 'claimed').opts;
      expect(claimed).to.deep.equal({ ...generated, claimedId: true });
      // A caller's id Bull would mistake stays encoded, with the caller's id beside it.
      expect(toBullJobOptions(schedule, '42', now, 'claimed').opts).to.deep.include({
        jobId: '~42',
        switchyardId: '42',
      });
    });

    it("stores a backoff as Bull's own fixed or exponential where that is exact, else as the custom strategy", () => {
      const backoffOf = (backoff: BackoffOptions, attempts: number) =>
        toBullJobOptions(validateSchedule('mail', {}, { backoff, attempts }, {}, new Date(now)), 'id', now).opts
          .backoff;
      expect(backoffOf({ type: 'fixed', delayMs: 250 }, 5)).to.deep.equal({ type: 'fixed', delay: 250 });
      // Bull's exponential is (2^n - 1) x delay, the contract's 2^(n-1) x delay: equal for one retry only.
      expect(backoffOf({ type: 'exponential', delayMs: 250 }, 2)).to.deep.equal({ type: 'exponential', delay: 250 });
      expect(backoffOf({ type: 'exponential', delayMs: 250 }, 3)).to.deep.equal({
        type: 'switchyard',
        options: { type: 'exponential', delayMs: 250 },
      });
      for (const extra of [{ maxDelayMs: 500 }, { jitter: 0.1 }, { jitter: 0 }] as Partial<BackoffOptions>[]) {
        expect(backoffOf({ type: 'fixed', delayMs: 250, ...extra }, 5)).to.deep.equal({
          type: 'switchyard',
          options: { type: 'fixed', delayMs: 250, ...extra },
        });
      }
    });

    it('stores a falsy payload as its own JSON, as Bull stores any payload, and reads it back', () => {
      for (const value of [null, 0, false, '']) {
        const { data, opts } = toBullJobOptions(validateSchedule('mail', value, {}, {}, new Date(now)), 'id', now);
        expect(JSON.stringify(data)).to.equal(JSON.stringify(value));
        expect(opts).to.not.have.property('falsyData');
        expect(dataOfBullJob({ data: value, opts })).to.equal(value);
      }
      // Jobs an earlier version wrote kept a falsy payload in an option, with {} as the data.
      expect(dataOfBullJob({ data: {}, opts: { falsyData: 0 } as object })).to.equal(0);
      expect(dataOfBullJob({ data: { a: 1 }, opts: {} })).to.deep.equal({ a: 1 });
    });

    it('makes a repeating job a Bull repeatable whose occurrences are forgotten once they end, cron in UTC unless told', () => {
      const cron = toBullJobOptions(
        validateSchedule('digest', {}, { repeat: { cron: '0 8 * * *' } }, {}, new Date(now)),
        'd',
        now,
      );
      expect(cron.opts).to.deep.include({
        repeat: { cron: '0 8 * * *', tz: 'UTC' },
        removeOnComplete: true,
        removeOnFail: true,
      });
      expect(cron.opts.delay).to.equal(undefined);
      const every = toBullJobOptions(
        validateSchedule('beat', {}, { repeat: { everyMs: 1000 } }, {}, new Date(now)),
        'b',
        now,
      );
      expect(every.opts.repeat).to.deep.equal({ every: 1000 });
    });

    it('counts an imported job’s delay from its createdAt, and makes a past due time waiting', () => {
      const snapshot = {
        schemaVersion: 2,
        id: 's',
        name: 'n',
        data: { x: 1 },
        state: 'scheduled',
        runAt: new Date(now + 60_000).toISOString(),
        priority: 5,
        attempts: 1,
        attemptsMade: 0,
        backoff: null,
        timeoutMs: null,
        repeat: null,
        createdAt: new Date(now - 1000).toISOString(),
      } as const;
      expect(snapshotToBullJobOptions(snapshot, now).opts).to.deep.include({ timestamp: now - 1000, delay: 61_000 });
      expect(
        snapshotToBullJobOptions({ ...snapshot, runAt: new Date(now - 5).toISOString() }, now).opts.delay,
      ).to.equal(0);
    });
  });

  describe('states and counts', () => {
    it('maps Bull states onto the five contract states', () => {
      expect(
        ['delayed', 'wait', 'paused', 'active', 'completed', 'failed', null].map((state) => toJobState(state as never)),
      ).to.deep.equal(['scheduled', 'waiting', 'waiting', 'active', 'completed', 'failed', 'waiting']);
    });

    it('sums wait and paused into waiting, and reports delayed as scheduled', () => {
      expect(
        jobCountsFromBull({ waiting: 2, paused: 3, delayed: 4, active: 1, completed: 5, failed: 6 }),
      ).to.deep.equal({
        scheduled: 4,
        waiting: 5,
        active: 1,
        completed: 5,
        failed: 6,
      });
    });

    it('reads a due time from a delayed-set score', () => {
      expect(dueTimeOfDelayedScore(1_700_000_000_123 * 0x1000 + 7).getTime()).to.equal(1_700_000_000_123);
    });
  });

  it('reads host, port, user, password and db from a Redis URL', () => {
    expect(redisOptionsFromUrl('redis://user:p%40ss@example.com:6380/2')).to.deep.equal({
      host: 'example.com',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
    });
    expect(redisOptionsFromUrl('redis://localhost')).to.deep.equal({ host: 'localhost', port: 6379 });
  });

  it('computes the repeat key and occurrence id exactly as Bull does', async function () {
    this.timeout(10_000);
    const redis = await startRedis();
    const queue = new Bull('check', { prefix: `mapping-${randomUUID()}`, redis: redisOptionsFromUrl(redis.url) });
    const reader = new Redis(redisOptionsFromUrl(redis.url));
    try {
      const repeats: RepeatOptions[] = [{ cron: '0 8 * * *', tz: 'Europe/Paris' }, { everyMs: 60_000 }];
      for (const repeat of repeats) {
        const jobId = `series:${randomUUID()}`;
        const bullRepeat: Bull.CronRepeatOptions | Bull.EveryRepeatOptions =
          'cron' in repeat ? { cron: repeat.cron, tz: repeat.tz! } : { every: repeat.everyMs };
        const occurrence = await queue.add(BULL_DEFAULT_JOB_NAME, { a: 1 }, { jobId, repeat: bullRepeat });
        const key = bullRepeatKey(jobId, repeat);
        const next = await reader.zscore(`${(queue as unknown as { keyPrefix: string }).keyPrefix}:check:repeat`, key);
        expect(next, `repeat key ${key}`).to.not.equal(null);
        expect(occurrence.id).to.equal(bullOccurrenceId(jobId, key, Number(next)));
      }
    } finally {
      reader.disconnect();
      await queue.close();
    }
  });
});
