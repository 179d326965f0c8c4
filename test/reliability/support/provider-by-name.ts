/**
 * The providers the reliability tests run in worker processes and producers, by name,
 * each on a server URL and in a namespace of its own. The packages are imported only
 * when asked for, so a worker process loads the one it runs.
 */
import type { QueueProvider } from '@switchyard/core';

export type ReliabilityProvider = 'bull' | 'bullmq-redis' | 'bullmq-postgres' | 'agenda';

export interface ProviderPlace {
  provider: ReliabilityProvider;
  /** redis://, postgres:// or mongodb:// (with the database) */
  url: string;
  /** Bull or BullMQ key prefix, BullMQ PostgreSQL schema, or Agenda collection */
  namespace: string;
  /** Provider options beyond the connection: lock, stall and polling settings, a logger. */
  options?: Record<string, unknown>;
}

export async function providerByName({
  provider,
  url,
  namespace,
  options = {},
}: ProviderPlace): Promise<QueueProvider> {
  switch (provider) {
    case 'bull': {
      const { BullQueueProvider } = await import('@switchyard/provider-bull');
      return new BullQueueProvider({ redisUrl: url, prefix: namespace, ...options });
    }
    case 'bullmq-redis': {
      const { BullMQQueueProvider } = await import('@switchyard/provider-bullmq');
      return new BullMQQueueProvider({ backend: 'redis', redisUrl: url, prefix: namespace, ...options });
    }
    case 'bullmq-postgres': {
      const { BullMQQueueProvider } = await import('@switchyard/provider-bullmq');
      return new BullMQQueueProvider({ backend: 'postgres', databaseUrl: url, schema: namespace, ...options });
    }
    case 'agenda': {
      const { AgendaQueueProvider } = await import('@switchyard/provider-agenda');
      return new AgendaQueueProvider({ mongoUrl: url, collection: namespace, ...options });
    }
  }
}
