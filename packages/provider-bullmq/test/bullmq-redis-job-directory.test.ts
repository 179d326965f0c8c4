import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startRedis } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

/**
 * The job directory on Redis: ids the caller chose are claimed in `<prefix>:switchyard-ids`,
 * generated ones are not (the BullMQ job hash holds them), and what BullMQ removes as
 * it completes frees its claim.
 */
describe('BullMQQueueProvider on Redis: the job directory', function () {
  this.timeout(30_000);
  let provider: BullMQQueueProvider;
  let redis: Redis;
  let idsKey: string;

  beforeEach(async () => {
    const redisUrl = (await startRedis()).url;
    const prefix = `directory-${randomUUID()}`;
    idsKey = `${prefix}:switchyard-ids`;
    provider = new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix });
    redis = new Redis(redisUrl);
    await provider.connect();
  });

  afterEach(async () => {
    await provider.close({ timeoutMs: 1000 });
    redis.disconnect();
  });

  it('claims the ids callers choose and none it generates, and finds both', async () => {
    const generated = await Promise.all(Array.from({ length: 50 }, (_, n) => provider.scheduleJob('email', { n })));
    await provider.scheduleJob('email', { n: 'chosen' }, { jobId: 'welcome-ada' });

    expect(await redis.hkeys(idsKey)).to.deep.equal(['welcome-ada']);
    expect((await provider.getJob(generated[7]!))?.data).to.deep.equal({ n: 7 });
    expect(await provider.listJobs({ names: ['email'] })).to.have.lengthOf(51);
    expect(await provider.cancelJob(generated[7]!)).to.equal(true);
    expect(await provider.getJob(generated[7]!)).to.equal(null);
  });

  it('frees the claim of a job BullMQ removes as it completes, and leaves nothing for generated ids', async () => {
    let completed = 0;
    provider.on('completed', () => (completed += 1));
    provider.registerProcessor({ name: 'email', process: async () => undefined });
    await provider.start();
    await provider.scheduleJob('email', {}, { jobId: 'welcome-ada', removeOnComplete: true });
    await provider.scheduleJob('email', {}, { removeOnComplete: true });

    await waitUntil(async () => completed === 2 && (await redis.hlen(idsKey)) === 0, { timeoutMs: 10_000 });
    expect(await provider.listJobs()).to.deep.equal([]);
    // The id is free again.
    expect(await provider.scheduleJob('email', { again: true }, { jobId: 'welcome-ada', delayMs: 60_000 })).to.equal(
      'welcome-ada',
    );
    expect((await provider.getJob('welcome-ada'))?.data).to.deep.equal({ again: true });
  });
});
