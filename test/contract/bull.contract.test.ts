import { randomUUID } from 'node:crypto';
import { runProviderContract } from '@switchyard/core/testing';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../support/start-redis.js';

let redis: RedisServer;

before(async function () {
  this.timeout(15_000);
  redis = await startRedis();
});

// Each provider gets its own key prefix: isolated storage on one shared Redis.
runProviderContract('bull', {
  makeProvider: (common) =>
    new BullQueueProvider({ ...common, redisUrl: redis.url, prefix: `contract-${randomUUID()}` }),
  // Bull promotes delayed jobs from a timer set for the next due job: a few ms late at most.
  schedulingToleranceMs: 500,
});
