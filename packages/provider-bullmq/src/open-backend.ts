import type { BullMQBackend } from './bullmq-backend.js';
import { PostgresBackend } from './postgres-backend.js';
import { RedisBackend } from './redis-backend.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
export const DEFAULT_PREFIX = 'switchyard';
export const DEFAULT_SCHEMA = 'switchyard';

/** Where the provider keeps its jobs: Redis (the default) or PostgreSQL. */
export interface BullMQConnectionOptions {
  /** Default 'redis'. */
  backend?: 'redis' | 'postgres';
  /** For Redis: `redis://[user:password@]host:port[/db]` or `rediss://...`. */
  redisUrl?: string;
  /** For Redis: the prefix of every key (BullMQ's `prefix`); one prefix = one isolated provider. Default 'switchyard'. */
  prefix?: string;
  /** For PostgreSQL: `postgres://[user:password@]host:port/database`. */
  databaseUrl?: string;
  /** For PostgreSQL: the schema of BullMQ's tables (created by its migrations); one schema = one isolated provider. Default 'switchyard'. */
  schema?: string;
  /** How long `connect()` may take before it fails with `ProviderUnavailableError`; default 3000. */
  connectTimeoutMs?: number;
  /** How long one command or query may take before it fails; default 5000. */
  commandTimeoutMs?: number;
}

/**
 * Opens the chosen backend. BullMQ loads `pg` only when a PostgreSQL connection is
 * made, so a service on Redis need not install it.
 */
export async function openBackend(
  options: BullMQConnectionOptions,
  onError: (error: Error) => void,
): Promise<BullMQBackend> {
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    onError,
  };
  let backend: BullMQBackend;
  if (options.backend === 'postgres') {
    backend = new PostgresBackend(options.databaseUrl ?? '', options.schema ?? DEFAULT_SCHEMA, timeouts);
  } else {
    backend = new RedisBackend(options.redisUrl ?? '', options.prefix ?? DEFAULT_PREFIX, timeouts);
  }
  await backend.open();
  return backend;
}
