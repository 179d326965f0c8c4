import { randomUUID } from 'node:crypto';
import type { CommonProviderOptions, QueueProvider } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis } from './start-redis.js';

/**
 * A way to get fresh, isolated, unconnected providers of one kind for cross-package
 * tests (domain, container, migration). Backed by real servers from the harnesses.
 */
export interface ProviderFixture {
  name: 'memory' | 'bull' | 'agenda';
  /** How late a due job may start on this provider (polling interval plus slack). */
  schedulingToleranceMs: number;
  make(options?: CommonProviderOptions): Promise<QueueProvider>;
  /** What `QUEUE_PROVIDER` and friends must say for the container or the CLI to open the same storage as `make`'s last call. */
  environmentOf(provider: QueueProvider): Promise<Record<string, string>>;
}

export const memoryFixture: ProviderFixture = {
  name: 'memory',
  schedulingToleranceMs: 200,
  make: async (options) => new MemoryQueueProvider(options),
  environmentOf: async () => ({ QUEUE_PROVIDER: 'memory' }),
};

/** Each provider gets a key prefix of its own on the run's shared Redis. */
const bullPrefixes = new WeakMap<QueueProvider, string>();
export const bullFixture: ProviderFixture = {
  name: 'bull',
  schedulingToleranceMs: 500,
  async make(options) {
    const redis = await startRedis();
    const prefix = `fixture-${randomUUID()}`;
    const provider = new BullQueueProvider({ ...options, redisUrl: redis.url, prefix });
    bullPrefixes.set(provider, prefix);
    return provider;
  },
  async environmentOf(provider) {
    const redis = await startRedis();
    return { QUEUE_PROVIDER: 'bull', REDIS_URL: redis.url, QUEUE_PREFIX: bullPrefixes.get(provider) ?? 'switchyard' };
  },
};

/** Every provider the domain, container and migration tests run on. */
export function providerFixtures(): ProviderFixture[] {
  return [memoryFixture, bullFixture];
}
