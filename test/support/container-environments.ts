import { randomUUID } from 'node:crypto';
import { startRedis } from './start-redis.js';
import { startPostgres } from './start-postgres.js';
import { agendaMongoUrl, AGENDA_TEST_PROCESS_EVERY_MS } from './provider-fixtures.js';

/**
 * The environments a service would run the container with, one per provider, pointing
 * at the test servers: the same code must work in each with only the environment changed.
 */
export interface ContainerEnvironment {
  /** What the environment is called in test titles: the provider, and for BullMQ its backend. */
  name: 'memory' | 'bull' | 'bullmq-redis' | 'bullmq-postgres' | 'agenda';
  /** The provider's `name`. */
  provider: 'memory' | 'bull' | 'bullmq' | 'agenda';
  env(): Promise<Record<string, string>>;
}

let bullmqSchemas = 0;

const base = { SWITCHYARD_CONFIG_DIR: '/nonexistent', LOG_LEVEL: 'warn' };

export function containerEnvironments(): ContainerEnvironment[] {
  return [
    { name: 'memory', provider: 'memory', env: async () => ({ ...base, QUEUE_PROVIDER: 'memory' }) },
    {
      name: 'bull',
      provider: 'bull',
      env: async () => ({
        ...base,
        QUEUE_PROVIDER: 'bull',
        REDIS_URL: (await startRedis()).url,
        QUEUE_PREFIX: `container-${randomUUID()}`,
      }),
    },
    {
      name: 'bullmq-redis',
      provider: 'bullmq',
      env: async () => ({
        ...base,
        QUEUE_PROVIDER: 'bullmq',
        REDIS_URL: (await startRedis()).url,
        QUEUE_PREFIX: `container-${randomUUID()}`,
      }),
    },
    {
      name: 'bullmq-postgres',
      provider: 'bullmq',
      env: async () => ({
        ...base,
        QUEUE_PROVIDER: 'bullmq',
        BULLMQ_BACKEND: 'postgres',
        DATABASE_URL: (await startPostgres()).url,
        BULLMQ_SCHEMA: `container_${process.pid}_${(bullmqSchemas += 1)}`,
      }),
    },
    {
      name: 'agenda',
      provider: 'agenda',
      env: async () => ({
        ...base,
        QUEUE_PROVIDER: 'agenda',
        MONGODB_URL: await agendaMongoUrl(),
        QUEUE_COLLECTION: `container_${randomUUID().replaceAll('-', '')}`,
        AGENDA_PROCESS_EVERY_MS: String(AGENDA_TEST_PROCESS_EVERY_MS),
      }),
    },
  ];
}
