import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { JobInfo } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullJobIndex, newIndexEntry } from '../src/bull-job-index.js';
import { toBullJobId } from '../src/bull-job-id.js';
import { BullKeys } from '../src/bull-keys.js';
import { FinishedJobTrimmer, TRIM_CHUNK } from '../src/finished-job-trimmer.js';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

/** Caller ids of four kinds: kept as the Bull id as they are, and encoded for a colon, for digits only, and with a percent sign too. */
function callerId(index: number): string {
  return [`order-${index}`, `order:${index}`, String(100_000 + index), `50%:${index}`][index % 4]!;
}

/** Bull job hashes of a queue: its keys but for Bull's lists, sets and locks. */
async function jobHashCount(redis: Redis, prefix: string, name: string): Promise<number> {
  const keys = await redis.keys(`${prefix}:${name}:*`);
  const types = await Promise.all(keys.map((key) => redis.type(key)));
  return keys.filter((key, index) => types[index] === 'hash' && !key.endsWith(':meta') && !key.endsWith(':logs'))
    .length;
}

describe('BullQueueProvider: retention in Redis', function () {
  this.timeout(60_000);
  let server: RedisServer;
  let redis: Redis;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(() => redis.disconnect());

  it('keeps only the newest N finished jobs in Redis, and the id index holds nothing for the jobs it removed', async () => {
    const prefix = `retention-${randomUUID()}`;
    const provider = new BullQueueProvider({ redisUrl: server.url, prefix });
    const finished: JobInfo[] = [];
    provider.on('completed', (job: JobInfo) => finished.push(job));
    provider.on('failed', (job: JobInfo) => finished.push(job));
    const count = 300;
    try {
      await provider.connect();
      provider.registerProcessor(
        {
          name: 'orders',
          process: async (job) => {
            if ((job.data as { fail: boolean }).fail) throw new Error('asked to fail');
          },
        },
        { concurrency: 20 },
      );
      await provider.start();
      for (let index = 0; index < count; index += 1) {
        // Caller ids, which the index claims, and a fifth of them fail. Some are stored
        // under an encoded Bull id (`~...`, see bull-job-id.ts), and the trim must find
        // their index entries by the caller's id.
        await provider.scheduleJob(
          'orders',
          { fail: index % 5 === 0 },
          { jobId: callerId(index), attempts: 1, removeOnComplete: 20, removeOnFail: { count: 5 } },
        );
      }
      await waitUntil(() => finished.length === count, { timeoutMs: 30_000, message: 'every job to finish' });
    } finally {
      // close() applies the trims still pending.
      await provider.close();
    }

    expect(await redis.zcard(`${prefix}:orders:completed`)).to.equal(20);
    expect(await redis.zcard(`${prefix}:orders:failed`)).to.equal(5);
    expect(await jobHashCount(redis, prefix, 'orders')).to.equal(25);
    const claimed = await redis.hkeys(`${prefix}::jobs`);
    expect(claimed).to.have.lengthOf(25);
    // The newest of each state are the ones kept: none removed finished later than one kept
    // (jobs finished in one millisecond may go either way, as in Bull's own trim).
    for (const state of ['completed', 'failed']) {
      const ofState = finished.filter((job) => job.state === state);
      const finishedAt = (job: JobInfo) => job.finishedAt!.getTime();
      const kept = ofState.filter((job) => claimed.includes(job.id)).map(finishedAt);
      const removed = ofState.filter((job) => !claimed.includes(job.id)).map(finishedAt);
      expect(kept).to.have.lengthOf(state === 'completed' ? 20 : 5);
      expect(Math.min(...kept), state).to.be.at.least(Math.max(...removed));
    }

    const reader = new BullQueueProvider({ redisUrl: server.url, prefix });
    try {
      // An id whose job was removed is free again, an encoded one too.
      for (const removed of [callerId(1), callerId(2), callerId(3)])
        expect(await reader.getJob(removed)).to.equal(null);
      expect(await reader.scheduleJob('orders', { again: true }, { jobId: callerId(1), delayMs: 60_000 })).to.equal(
        callerId(1),
      );
      expect((await reader.getJob(callerId(1)))?.data).to.deep.equal({ again: true });
    } finally {
      await reader.close();
    }
  });

  it("frees the id of a removeOnComplete job as Bull deletes it, a caller's UUID included; a generated id was never claimed", async () => {
    const prefix = `retention-${randomUUID()}`;
    const provider = new BullQueueProvider({ redisUrl: server.url, prefix });
    const completed: string[] = [];
    provider.on('completed', (job: JobInfo) => completed.push(job.id));
    const callerUuid = randomUUID();
    try {
      await provider.connect();
      provider.registerProcessor({ name: 'mail', process: async () => undefined });
      await provider.start();
      const ids = [
        await provider.scheduleJob('mail', {}, { jobId: 'welcome-ada', removeOnComplete: true }),
        await provider.scheduleJob('mail', {}, { jobId: callerUuid, removeOnComplete: true }),
        await provider.scheduleJob('mail', {}, { removeOnComplete: true }),
      ];
      await waitUntil(() => completed.length === 3, { timeoutMs: 10_000, message: 'the jobs to complete' });
      await waitUntil(async () => (await redis.hlen(`${prefix}::jobs`)) === 0, {
        timeoutMs: 10_000,
        message: 'the claimed ids to be freed',
      });
      for (const id of ids) expect(await provider.getJob(id)).to.equal(null);
      expect(await provider.scheduleJob('other', {}, { jobId: callerUuid, delayMs: 60_000 })).to.equal(callerUuid);
      expect((await provider.getJob(callerUuid))?.name).to.equal('other');
    } finally {
      await provider.close();
    }
  });

  /**
   * The trimmer on its own: a finished set filled by hand, far past the count, so that
   * one trim has more to remove than one script call removes.
   */
  describe('the finished-job trimmer', () => {
    /** A trimmer on a prefix of its own, and the errors it reports. */
    function newTrimmer() {
      const prefix = `trimmer-${randomUUID()}`;
      const keys = new BullKeys(prefix);
      const index = new BullJobIndex(() => redis, keys);
      const errors: unknown[] = [];
      const trimmer = new FinishedJobTrimmer(
        () => redis,
        keys,
        index,
        (error) => errors.push(error),
      );
      return { prefix, keys, index, trimmer, errors };
    }

    /**
     * `total` completed jobs of 'orders', oldest first, the nth finished at `finishedAt(n)`;
     * every third has a caller's id the index claims (encoded, for its colon).
     */
    async function fill(
      keys: BullKeys,
      index: BullJobIndex,
      total: number,
      finishedAt: (n: number) => number = (n) => n,
    ): Promise<string[]> {
      const bullIds: string[] = [];
      for (let n = 1; n <= total; n += 1) {
        const claimed = n % 3 === 0;
        const id = claimed ? `order:${n}` : randomUUID();
        if (claimed) await index.claim(id, newIndexEntry(id, 'orders'));
        const bullId = toBullJobId(id);
        await redis.hset(keys.queue('orders', bullId), 'finishedOn', finishedAt(n));
        await redis.zadd(keys.queue('orders', 'completed'), finishedAt(n), bullId);
        bullIds.push(bullId);
      }
      return bullIds;
    }

    /**
     * The trim script calls a trim makes, counted with MONITOR (only this test's keys: the
     * server may be shared). ioredis sends a script's first call on a connection as EVAL,
     * the later ones as EVALSHA.
     */
    async function countingTrimCalls(prefix: string, trim: () => Promise<void>): Promise<number> {
      const monitor = await redis.monitor();
      const marker = `${prefix}:seen-everything`;
      let calls = 0;
      let markerSeen = false;
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (['eval', 'evalsha'].includes(args[0]?.toLowerCase() ?? '') && args[3] === `${prefix}:orders:completed`)
          calls += 1;
        if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) markerSeen = true;
      });
      try {
        await trim();
        // MONITOR shows commands in the order Redis ran them: once it shows this one, it has shown every trim call.
        await redis.echo(marker);
        await waitUntil(() => markerSeen, { timeoutMs: 5_000, message: 'MONITOR to show the trim calls' });
        return calls;
      } finally {
        monitor.disconnect();
      }
    }

    it('removes all but the newest N in calls of at most TRIM_CHUNK jobs, and frees the ids of the removed', async () => {
      const { prefix, keys, index, trimmer, errors } = newTrimmer();
      const total = 3 * TRIM_CHUNK + 50;
      const keep = 20;
      const bullIds = await fill(keys, index, total);

      const calls = await countingTrimCalls(prefix, async () => {
        trimmer.request('orders', 'completed', { ageMs: null, count: keep });
        await trimmer.flush();
      });

      expect(errors).to.deep.equal([]);
      expect(calls).to.equal(Math.floor((total - keep) / TRIM_CHUNK) + 1);
      expect(await redis.zrange(keys.queue('orders', 'completed'), 0, -1)).to.deep.equal(bullIds.slice(-keep));
      for (const [n, bullId] of bullIds.entries()) {
        expect(await redis.exists(keys.queue('orders', bullId)), bullId).to.equal(n >= total - keep ? 1 : 0);
      }
      // The claimed ids of the kept jobs stay taken; those of the removed are free.
      const claimed = (await redis.hkeys(keys.indexJobs)).sort();
      const keptClaims = [];
      for (let n = total - keep + 1; n <= total; n += 1) if (n % 3 === 0) keptClaims.push(`order:${n}`);
      expect(claimed).to.deep.equal(keptClaims.sort());
    });

    it('removes by age first, then by count, across calls', async () => {
      const { keys, index, trimmer, errors } = newTrimmer();
      // 230 jobs finished a minute ago, then 60 finished now: a policy of ten seconds'
      // and at most 40 removes the 230 old ones (more than two calls' worth), then
      // the oldest 20 of the recent ones.
      const old = 2 * TRIM_CHUNK + 30;
      const startedAt = Date.now();
      const bullIds = await fill(keys, index, old + 60, (n) => (n <= old ? startedAt - 60_000 + n : startedAt + n));

      trimmer.request('orders', 'completed', { ageMs: 10_000, count: 40 });
      await trimmer.flush();

      expect(errors).to.deep.equal([]);

      expect(await redis.zrange(keys.queue('orders', 'completed'), 0, -1)).to.deep.equal(bullIds.slice(-40));
      const kept = new Set(bullIds.slice(-40));
      for (const bullId of bullIds) {
        expect(await redis.exists(keys.queue('orders', bullId)), bullId).to.equal(kept.has(bullId) ? 1 : 0);
      }
      const claimedKept = [...kept].filter((bullId) => bullId.startsWith('~')).length;
      expect(await redis.hlen(keys.indexJobs)).to.equal(claimedKept);
    });
  });
});
