/**
 * Reads write nothing: 1,000 admin reads of job names nobody used leave Redis with the
 * same keys and the admin process with the memory it had. (They used to record each
 * name in Redis and open a Bull queue for it.)
 */
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createAdminServer } from '@switchyard/admin';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startOwnRedis, type RedisServer } from '../support/start-redis.js';

const TOKEN = 'unknown-names-token-0123456789';
const READS = 1000;

/** Node's `gc()`, made available without restarting the process with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapUsedAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('admin on Bull: reads of unknown names write nothing', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let client: Redis;
  let provider: BullQueueProvider;
  let app: FastifyInstance;

  before(async () => {
    redis = await startOwnRedis({ quiet: true });
    client = new Redis(redis.url);
    provider = new BullQueueProvider({ redisUrl: redis.url, prefix: 'reads' });
    await provider.connect();
    await provider.scheduleJob('real', { n: 1 }, { jobId: 'real-1', delayMs: 3_600_000 });
    app = createAdminServer({ provider, token: TOKEN, rateLimit: false });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await provider?.close({ timeoutMs: 1000 });
    client?.disconnect();
    await redis?.stop();
  });

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).to.equal(200, `GET ${url}: ${response.body}`);
    return response.json<Record<string, unknown>>();
  };

  async function keysInRedis(): Promise<string[]> {
    return (await client.keys('*')).sort();
  }

  it(`${READS} GET /api/queues/<unknown>/jobs leave Redis's keys and the admin's heap as they were`, async () => {
    // A warm-up read of each route, so that what is measured is the reads, not the first use of the code.
    await get('/api/queues/warm-up/jobs');
    await get('/api/queues/warm-up/jobs?state=failed');
    const keysBefore = await keysInRedis();
    const namesBefore = await client.smembers('reads::names');
    const heapBefore = heapUsedAfterGc();

    for (let index = 0; index < READS; index += 1) {
      const body = await get(`/api/queues/unknown-${index}/jobs${index % 2 === 0 ? '' : '?state=scheduled'}`);
      expect(body).to.deep.include({ total: 0, jobs: [] });
    }

    const heapGrowthMiB = (heapUsedAfterGc() - heapBefore) / 2 ** 20;
    expect(await keysInRedis()).to.deep.equal(keysBefore);
    expect(await client.smembers('reads::names')).to.deep.equal(namesBefore);
    // Measured here: about 1 MiB now (fastify's and the JIT's own caches), 7.8 MiB when
    // each read opened a Bull queue (the process's RSS grew by 40 to 60 MiB then).
    expect(heapGrowthMiB).to.be.below(3, `the heap grew by ${heapGrowthMiB.toFixed(1)} MiB`);
    // And the one real name still answers.
    const real = await get('/api/queues/real/jobs');
    expect(real).to.deep.include({ total: 1 });
  });

  it('provider reads of unknown names (stats, list, export) leave Redis as it was', async () => {
    const keysBefore = await keysInRedis();
    for (let index = 0; index < 200; index += 1) {
      const name = `unknown-read-${index}`;
      expect(await provider.getStats(name)).to.deep.include({ scheduled: 0, waiting: 0, paused: false });
      expect(await provider.listJobs({ names: [name, 'real'] })).to.have.lengthOf(1);
      for await (const snapshot of provider.exportJobs({ names: [name] })) throw new Error(`exported ${snapshot.id}`);
    }
    expect(await keysInRedis()).to.deep.equal(keysBefore);
  });
});
