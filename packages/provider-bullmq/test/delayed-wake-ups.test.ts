import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { DelayedWakeUps } from '../src/delayed-wake-ups.js';
import { startRedis } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

/**
 * `DelayedWakeUps` adds BullMQ's base marker (`ZADD <marker> 0 "0"`) when a delayed job
 * falls due, which wakes a worker blocked on the marker. No worker runs here, so the
 * marker stays where the test can see when it came.
 */
describe('DelayedWakeUps on Redis', function () {
  this.timeout(20_000);
  let redis: Redis;
  let wakeUps: DelayedWakeUps;
  let prefix: string;
  let redisUrl: string;
  const queues: Queue[] = [];

  beforeEach(async () => {
    redisUrl = (await startRedis()).url;
    redis = new Redis(redisUrl);
    prefix = `wake-${randomUUID()}`;
    wakeUps = new DelayedWakeUps(
      () => redis,
      (name) => `${prefix}:${name}:`,
    );
  });

  afterEach(async () => {
    wakeUps.close();
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    redis.disconnect();
  });

  /** When the marker of `name` got its base member, polled every few ms. */
  async function markedAt(name: string): Promise<number> {
    await waitUntil(async () => (await redis.zscore(`${prefix}:${name}:marker`, '0')) !== null, {
      timeoutMs: 5000,
      intervalMs: 2,
    });
    return Date.now();
  }

  it('wakes the workers of a watched name when a job noted here falls due, not before', async () => {
    wakeUps.watch('remind');
    const dueAt = Date.now() + 300;
    wakeUps.noteDue('remind', dueAt);

    expect(await redis.zscore(`${prefix}:remind:marker`, '0')).to.equal(null);
    expect(await markedAt('remind')).to.be.at.least(dueAt);
  });

  it('finds a delayed job another producer added, and one noted for a name not watched does nothing', async () => {
    const { port, hostname } = new URL(redisUrl);
    const queue = new Queue('digest', { prefix, connection: { host: hostname, port: Number(port) } });
    queues.push(queue);
    const addedAt = Date.now();
    await queue.add('digest', {}, { delay: 400 });
    wakeUps.noteDue('other', Date.now());
    wakeUps.watch('digest');

    expect(await markedAt('digest')).to.be.at.least(addedAt + 400);
    expect(await redis.exists(`${prefix}:other:marker`)).to.equal(0);
  });
});
