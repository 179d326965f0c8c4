import { randomUUID } from 'node:crypto';
import { startRedis } from './start-redis.js';
import { agendaMongoUrl, AGENDA_TEST_PROCESS_EVERY_MS } from './provider-fixtures.js';

/**
 * The environments a service would run the container with, one per provider, pointing
 * at the test servers: the same code must work in each with only the environment changed.
 */
export interface ContainerEnvironment {
  name: 'memory' | 'bull' | 'agenda';
  env(): Promise<Record<string, string>>;
}

const base = { SWITCHYARD_CONFIG_DIR: '/nonexistent', LOG_LEVEL: 'warn' };

export function containerEnvironments(): ContainerEnvironment[] {
  return [
    { name: 'memory', env: async () => ({ ...base, QUEUE_PROVIDER: 'memory' }) },
    {
      name: 'bull',
      env: async () => ({
        ...base,
        QUEUE_PROVIDER: 'bull',
        REDIS_URL: (await startRedis()).url,
        QUEUE_PREFIX: `container-${randomUUID()}`,
      }),
    },
    {
      name: 'agenda',
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
