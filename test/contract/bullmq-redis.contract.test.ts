import { randomUUID } from 'node:crypto';
import { runProviderContract } from '@switchyard/core/testing';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startRedis, type RedisServer } from '../support/start-redis.js';

let redis: RedisServer;

before(async function () {
  this.timeout(15_000);
  redis = await startRedis();
});

// Each provider gets its own key prefix: isolated storage on one shared Redis.
runProviderContract('bullmq', {
  makeProvider: (common) =>
    new BullMQQueueProvider({ ...common, backend: 'redis', redisUrl: redis.url, prefix: `contract-${randomUUID()}` }),
  // BullMQ promotes delayed jobs from a timer set for the next due job: a few ms late at most.
  schedulingToleranceMs: 500,
});
