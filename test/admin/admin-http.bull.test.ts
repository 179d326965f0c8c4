/**
 * The admin HTTP suite on Bull: the same routes, the same answers as on the memory
 * provider, against a real redis-server (the shared one of the run, or REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { describeAdminHttpApi } from '../../packages/admin/test/admin-http-suite.js';
import { startRedis, type RedisServer } from '../support/start-redis.js';

let redis: RedisServer;

before(async function () {
  this.timeout(15_000);
  redis = await startRedis();
});

describeAdminHttpApi({
  name: 'bull',
  // A key prefix of its own per test: isolated queues on one shared Redis.
  make: async () => new BullQueueProvider({ redisUrl: redis.url, prefix: `admin-${randomUUID()}` }),
  settleTimeoutMs: 10_000,
});
