import { randomUUID } from 'node:crypto';
import type { CommonProviderOptions, QueueProvider } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { startRedis } from './start-redis.js';
import { startPostgres } from './start-postgres.js';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from './start-mongo.js';

/**
 * A way to get fresh, isolated, unconnected providers of one kind for cross-package
 * tests (domain, container, migration). Backed by real servers from the harnesses.
 */
export interface ProviderFixture {
  /** The provider, and for BullMQ its backend. */
  name: 'memory' | 'bull' | 'bullmq-redis' | 'bullmq-postgres' | 'agenda';
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

/** BullMQ on the run's shared Redis, a key prefix of its own per provider. */
const bullmqPrefixes = new WeakMap<QueueProvider, string>();
export const bullmqRedisFixture: ProviderFixture = {
  name: 'bullmq-redis',
  schedulingToleranceMs: 500,
  async make(options) {
    const redis = await startRedis();
    const prefix = `fixture-${randomUUID()}`;
    const provider = new BullMQQueueProvider({ ...options, backend: 'redis', redisUrl: redis.url, prefix });
    bullmqPrefixes.set(provider, prefix);
    return provider;
  },
  async environmentOf(provider) {
    const redis = await startRedis();
    return {
      QUEUE_PROVIDER: 'bullmq',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: bullmqPrefixes.get(provider) ?? 'switchyard',
    };
  },
};

/** BullMQ on the run's shared PostgreSQL, a schema of its own per provider (made by BullMQ's migrations). */
const bullmqSchemas = new WeakMap<QueueProvider, string>();
let bullmqSchemaCount = 0;
export const bullmqPostgresFixture: ProviderFixture = {
  name: 'bullmq-postgres',
  schedulingToleranceMs: 500,
  async make(options) {
    const postgres = await startPostgres();
    const schema = `fixture_${process.pid}_${(bullmqSchemaCount += 1)}`;
    const provider = new BullMQQueueProvider({ ...options, backend: 'postgres', databaseUrl: postgres.url, schema });
    bullmqSchemas.set(provider, schema);
    return provider;
  },
  async environmentOf(provider) {
    const postgres = await startPostgres();
    return {
      QUEUE_PROVIDER: 'bullmq',
      BULLMQ_BACKEND: 'postgres',
      DATABASE_URL: postgres.url,
      BULLMQ_SCHEMA: bullmqSchemas.get(provider) ?? 'switchyard',
    };
  },
};

/** One MongoDB for the run (started on first use), one collection per provider. */
let mongo: Promise<StartedMongo> | undefined;
const agendaDatabase = uniqueDatabaseName('fixtures');
const agendaCollections = new WeakMap<QueueProvider, string>();
export async function agendaMongoUrl(): Promise<string> {
  mongo ??= startMongo();
  return mongoUriForDatabase((await mongo).uri, agendaDatabase);
}

/** Agenda polling ten times a second, so tests stay quick. */
export const AGENDA_TEST_PROCESS_EVERY_MS = 100;

export const agendaFixture: ProviderFixture = {
  name: 'agenda',
  schedulingToleranceMs: 3 * AGENDA_TEST_PROCESS_EVERY_MS,
  async make(options) {
    const collection = `fixture_${randomUUID().replaceAll('-', '')}`;
    const provider = new AgendaQueueProvider({
      ...options,
      mongoUrl: await agendaMongoUrl(),
      collection,
      processEveryMs: AGENDA_TEST_PROCESS_EVERY_MS,
      lockLifetimeMs: 5000,
      connectTimeoutMs: 2000,
    });
    agendaCollections.set(provider, collection);
    return provider;
  },
  async environmentOf(provider) {
    return {
      QUEUE_PROVIDER: 'agenda',
      MONGODB_URL: await agendaMongoUrl(),
      QUEUE_COLLECTION: agendaCollections.get(provider) ?? 'agenda_jobs',
    };
  },
};

/** Every provider the cross-package tests run on: BullMQ once per backend. */
export function providerFixtures(): ProviderFixture[] {
  return [memoryFixture, bullFixture, bullmqRedisFixture, bullmqPostgresFixture, agendaFixture];
}
