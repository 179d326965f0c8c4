/**
 * BullMQQueueProvider on each backend, on storage of its own, with its job directory
 * reachable behind the provider's back: tests write a claim as the directory stores it,
 * or count what it holds, on the real server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PostgresConnection } from 'bullmq';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres } from '../../../../test/support/start-postgres.js';
import { startRedis } from '../../../../test/support/start-redis.js';

export interface DirectoryStorage {
  provider: BullMQQueueProvider;
  /** Claims `id` for `name` with no job behind it (what a call cut off mid-way leaves). */
  claimWithoutJob(id: string, name: string): Promise<void>;
  /** How many ids the directory holds. */
  directorySize(): Promise<number>;
}

async function withRedis<T>(redisUrl: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrl);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** BullMQ's own connection to the schema (the provider's connect() made its tables). */
async function withPostgres<T>(
  databaseUrl: string,
  schema: string,
  use: (connection: PostgresConnection) => Promise<T>,
): Promise<T> {
  const connection = new PostgresConnection({ connectionString: databaseUrl, schema, skipMigrations: true });
  try {
    await connection.waitUntilReady();
    return await use(connection);
  } finally {
    await connection.close();
  }
}

export const directoryStorages: { title: string; make(label: string): Promise<DirectoryStorage> }[] = [
  {
    title: 'Redis',
    async make(label) {
      const redisUrl = (await startRedis()).url;
      const prefix = `${label}-${randomUUID()}`;
      const directoryKey = `${prefix}:switchyard-ids`;
      return {
        provider: new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix }),
        claimWithoutJob: (id, name) =>
          withRedis(redisUrl, (redis) => redis.hset(directoryKey, id, name)).then(() => {}),
        directorySize: () => withRedis(redisUrl, (redis) => redis.hlen(directoryKey)),
      };
    },
  },
  {
    title: 'PostgreSQL',
    async make(label) {
      const databaseUrl = (await startPostgres()).url;
      const schema = `${label.replaceAll('-', '_')}_${randomUUID().slice(0, 8)}`;
      return {
        provider: new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema }),
        claimWithoutJob: (id, name) =>
          withPostgres(databaseUrl, schema, (connection) =>
            connection.pool.query('INSERT INTO switchyard_job_ids (id, name) VALUES ($1, $2)', [id, name]),
          ).then(() => {}),
        directorySize: () =>
          withPostgres(databaseUrl, schema, async (connection) => {
            const { rows } = await connection.pool.query<{ count: string }>('SELECT count(*) FROM switchyard_job_ids');
            return Number(rows[0]!.count);
          }),
      };
    },
  },
];
