import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { runScript } from '../../../test/support/script-process.js';

describe('BullQueueProvider: job ids shared by two producer processes', function () {
  this.timeout(30_000);
  let redis: RedisServer;

  before(async () => {
    redis = await startRedis();
  });

  it('stores one job per id when two processes schedule the same ids at once, under different names', async () => {
    const prefix = `unique-${randomUUID()}`;
    const count = 50;
    const producers = [
      runScript(new URL('./fixtures/scheduling-producer.ts', import.meta.url), [
        redis.url,
        prefix,
        'from-a',
        String(count),
      ]),
      runScript(new URL('./fixtures/scheduling-producer.ts', import.meta.url), [
        redis.url,
        prefix,
        'from-b',
        String(count),
      ]),
    ];
    // Both connected, then both go at once.
    await Promise.all(producers.map((producer) => producer.line(/^connected$/, 15_000)));
    for (const producer of producers) producer.child.stdin!.end('go\n');
    const results = await Promise.all(
      producers.map(async (producer) => JSON.parse(await producer.line(/^\[/, 15_000)) as string[]),
    );
    for (const producer of producers) expect(await producer.exited(10_000)).to.equal(0);

    const expectedIds = Array.from({ length: count }, (_, i) => `shared-${i}`);
    for (const ids of results) expect(ids).to.deep.equal(expectedIds);
    const reader = new BullQueueProvider({ redisUrl: redis.url, prefix });
    try {
      const jobs = await reader.listJobs({ limit: 1000 });
      expect(jobs.map((job) => job.id)).to.have.members(expectedIds);
      // Each id went to exactly one of the two names, with that producer's data.
      for (const job of jobs) expect((job.data as { by: string }).by).to.equal(job.name);
      const stats = await Promise.all([reader.getStats('from-a'), reader.getStats('from-b')]);
      expect(stats[0].waiting + stats[1].waiting).to.equal(count);
    } finally {
      await reader.close();
    }
  });

  it('keeps a generated id unique: reused as a caller id under another name, it returns the existing job', async () => {
    const provider = new BullQueueProvider({ redisUrl: redis.url, prefix: `generated-${randomUUID()}` });
    try {
      const id = await provider.scheduleJob('first', { n: 1 }, { delayMs: 60_000 });
      expect(await provider.scheduleJob('second', { n: 2 }, { jobId: id, delayMs: 60_000 })).to.equal(id);
      expect(await provider.scheduleJob('first', { n: 3 }, { jobId: id, delayMs: 60_000 })).to.equal(id);
      const jobs = await provider.listJobs({ limit: 10 });
      expect(jobs.map((job) => [job.id, job.name, job.data])).to.deep.equal([[id, 'first', { n: 1 }]]);
      expect((await provider.getJob(id))?.name).to.equal('first');
      expect(await provider.cancelJob(id)).to.equal(true);
      expect(await provider.getJob(id)).to.equal(null);
      // Once cancelled, the id is free again, under any name.
      expect(await provider.scheduleJob('second', { n: 4 }, { jobId: id, delayMs: 60_000 })).to.equal(id);
      expect((await provider.getJob(id))?.data).to.deep.equal({ n: 4 });
    } finally {
      await provider.close();
    }
  });
});
