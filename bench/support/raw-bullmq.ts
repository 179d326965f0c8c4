/**
 * BullMQ used directly, on Redis and on PostgreSQL, as the baseline BullMQQueueProvider
 * is compared with on the same backend: a `Queue` and a `Worker` from 'bullmq', set up
 * as a service would set them up, each on fresh storage (a key prefix, or a schema),
 * removed by `close()`.
 *
 * - Redis: connection options from the URL; BullMQ makes the connections (the queue's,
 *   the worker's and its blocking one).
 * - PostgreSQL: BullMQ's own backend (`withBackend(createPostgresBackend)`), a
 *   connection config with the run's schema; the queue runs BullMQ's migrations
 *   (`migrate: true`), the worker only checks the schema's version.
 *
 * The worker is given the provider's stall settings (which are BullMQ's defaults). With
 * `setUpAlike`, raw BullMQ on PostgreSQL also gets the provider's pool sizes (see
 * PostgresBackend: the queues share one pool of 10, a worker has one of 2), so that
 * what is left between it and the provider is the provider's own code.
 */
import { randomUUID } from 'node:crypto';
import {
  Queue,
  Worker,
  createPostgresBackend,
  withBackend,
  type JobsOptions,
  type PostgresPoolConfig,
  type Processor,
} from 'bullmq';
import { DEFAULT_ATTEMPTS, DEFAULT_PRIORITY, redisOptionsFromUrl } from '@switchyard/core';
import { deleteRedisPrefix, freshRedisPrefix, type BenchServers } from './bench-backends.js';
import { dropPostgresSchema, freshPostgresSchema } from './bench-postgres.js';

export type RawBullMQBackend = 'redis' | 'postgres';

/** The provider's defaults for BullMQ's worker settings (see BullMQQueueProvider's constructor). */
const BULLMQ_STALL_SETTINGS = { lockDuration: 30_000, stalledInterval: 30_000, maxStalledCount: 1 } as const;

/** The provider's pool sizes on PostgreSQL (PostgresBackend's control pool, and each worker's). */
const PROVIDER_QUEUE_POOL = 10;
const PROVIDER_WORKER_POOL = 2;

const PostgresBullMQ = withBackend(createPostgresBackend);

/**
 * The BullMQ job options BullMQQueueProvider gives a job scheduled with no options
 * (see its `toBullMQJobOptions`): its own id, the time it was made, the contract's
 * defaults (priority 5, which puts every job on BullMQ's prioritized path, and 3
 * attempts), failed jobs kept, and the provider's part of the options (empty here).
 */
export function providerLikeBullMQJobOptions(): JobsOptions {
  const options: JobsOptions & { switchyard: object } = {
    jobId: randomUUID(),
    timestamp: Date.now(),
    priority: DEFAULT_PRIORITY,
    attempts: DEFAULT_ATTEMPTS,
    delay: 0,
    removeOnFail: false,
    switchyard: {},
  };
  return options;
}

export interface RawBullMQ {
  queue: Queue;
  /** A worker of the queue's name; `close()` closes it. */
  startWorker(processor: Processor, concurrency: number): Promise<Worker>;
  /** Closes the workers and the queue, then removes the run's storage. */
  close(): Promise<void>;
}

export async function openRawBullMQ(
  backend: RawBullMQBackend,
  name: string,
  servers: BenchServers,
  options: { setUpAlike?: boolean } = {},
): Promise<RawBullMQ> {
  const workers: Worker[] = [];
  let queue: Queue;
  let newWorker: (processor: Processor, concurrency: number) => Worker;
  let dropStorage: () => Promise<void>;
  if (backend === 'redis') {
    const prefix = freshRedisPrefix('raw-bullmq');
    const connection = redisOptionsFromUrl(servers.redisUrl);
    queue = new Queue(name, { prefix, connection });
    newWorker = (processor, concurrency) =>
      new Worker(name, processor, {
        prefix,
        connection: { ...connection, maxRetriesPerRequest: null },
        concurrency,
        ...BULLMQ_STALL_SETTINGS,
      });
    dropStorage = () => deleteRedisPrefix(servers.redisUrl, prefix);
  } else {
    const schema = freshPostgresSchema('raw_bullmq');
    const pool = (max: number | undefined): PostgresPoolConfig => ({
      connectionString: servers.databaseUrl,
      schema,
      ...(max === undefined ? {} : { max }),
    });
    const alike = options.setUpAlike === true;
    queue = new PostgresBullMQ.Queue(name, {
      connection: { ...pool(alike ? PROVIDER_QUEUE_POOL : undefined), migrate: true },
    }) as unknown as Queue;
    newWorker = (processor, concurrency) =>
      new PostgresBullMQ.Worker(name, processor, {
        connection: pool(alike ? PROVIDER_WORKER_POOL : undefined),
        concurrency,
        ...BULLMQ_STALL_SETTINGS,
      }) as unknown as Worker;
    dropStorage = () => dropPostgresSchema(servers.databaseUrl, schema);
  }
  queue.on('error', () => {});
  await queue.waitUntilReady();
  return {
    queue,
    startWorker: async (processor, concurrency) => {
      const worker = newWorker(processor, concurrency);
      workers.push(worker);
      await worker.waitUntilReady();
      return worker;
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.close();
      await dropStorage();
    },
  };
}
