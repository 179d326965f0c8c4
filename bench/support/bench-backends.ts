/**
 * The servers the benchmarks run against, and fresh, isolated storage on them for
 * each run: a new Redis key prefix, or a new MongoDB database, dropped afterwards.
 *
 * The servers come from the test harnesses (`startRedis`, `startMongo`,
 * `startPostgres`): a `redis-server` from PATH (or REDIS_URL), MongoDB by the harness's
 * ladder (MONGODB_URL, a local mongod, else the wire-protocol test server, which the
 * benchmarks run in a child process of its own, as a database server would be), and a
 * PostgreSQL cluster of the run's own (or DATABASE_URL), where each run gets a schema.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import type { QueueProvider } from '@switchyard/core';
import { AgendaQueueProvider, DEFAULT_PROCESS_EVERY_MS } from '@switchyard/provider-agenda';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { startRedis } from '../../test/support/start-redis.js';
import { mongoUriForDatabase, startMongo, type MongoKind } from '../../test/support/start-mongo.js';
import { startPostgres, type PostgresServer } from '../../test/support/start-postgres.js';
import { dropPostgresSchema, freshPostgresSchema } from './bench-postgres.js';

/** The providers an earlier build is measured for (`BENCH_BASELINE`): builds before BullMQ had none of it. */
export type BaselineKind = 'bull' | 'agenda' | 'memory';
/** BullMQQueueProvider once per backend: on Redis and on PostgreSQL. */
export type ProviderKind = BaselineKind | 'bullmq-redis' | 'bullmq-postgres';

/** The provider classes a benchmark builds: this build's, or an earlier one's (`baseline-build.ts`). */
export interface ProviderConstructors {
  BullQueueProvider: typeof BullQueueProvider;
  AgendaQueueProvider: typeof AgendaQueueProvider;
  MemoryQueueProvider: typeof MemoryQueueProvider;
}

export const THIS_BUILD: ProviderConstructors = { BullQueueProvider, AgendaQueueProvider, MemoryQueueProvider };

/** A provider variant of a benchmark: this build's (`bull`), or the baseline build's (`bull@baseline`). */
export type ProviderVariant = ProviderKind | `${BaselineKind}@baseline`;

/** The provider kind of a variant and the classes to build it from; the baseline build must be given for its variants. */
export function providerOfVariant(
  variant: ProviderVariant,
  baseline: ProviderConstructors | undefined,
): { kind: ProviderKind; build: ProviderConstructors } {
  const [kind, which] = variant.split('@') as [ProviderKind, 'baseline' | undefined];
  if (which === undefined) return { kind, build: THIS_BUILD };
  if (baseline === undefined) throw new Error(`${variant}: no baseline build was prepared (BENCH_BASELINE)`);
  return { kind, build: baseline };
}

export interface BenchServers {
  redisUrl: string;
  redisKind: 'external' | 'redis-server';
  mongoUri: string;
  mongoKind: MongoKind;
  databaseUrl: string;
  postgresKind: PostgresServer['kind'];
  stop(): Promise<void>;
}

export async function startBenchServers(): Promise<BenchServers> {
  const redis = await startRedis();
  const mongo = await startMongo({ wireServer: 'child-process' });
  // The harness stops its cluster when the process exits (the bench ends with process.exit).
  const postgres = await startPostgres();
  return {
    redisUrl: redis.url,
    redisKind: redis.kind,
    mongoUri: mongo.uri,
    mongoKind: mongo.kind,
    databaseUrl: postgres.url,
    postgresKind: postgres.kind,
    stop: async () => {
      await mongo.stop();
      await redis.stop();
    },
  };
}

/**
 * Agenda's polling interval in every benchmark, raw and provider alike: the
 * provider's default. Jobs added in the same process wake the worker at once on
 * both sides (an in-process notification channel), so it bounds only lateness of
 * jobs the worker could not see coming.
 */
export const AGENDA_PROCESS_EVERY_MS = DEFAULT_PROCESS_EVERY_MS;

/** The label's part of a Redis prefix, cut or padded to this many characters. */
const PREFIX_LABEL_LENGTH = 16;

/** A key prefix no other run uses. */
export function freshRedisPrefix(label: string): string {
  // Of one length whatever the label: every key a job costs carries the prefix, a few
  // dozen a job, so a variant with a longer label sent Redis more bytes per job (the
  // provider's `bullmq-redis-tp` against raw BullMQ's `raw-bullmq`: 125 bytes a job).
  return `bench-${label.slice(0, PREFIX_LABEL_LENGTH).padEnd(PREFIX_LABEL_LENGTH, '-')}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix:` (a run's Bull queues and the provider's index). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A connection string for a database no other run uses (MongoDB names stay < 64 bytes). */
export function freshMongoUri(mongoUri: string, label: string): string {
  const name = `bench_${label}_${Date.now().toString(36)}_${randomUUID().slice(0, 6)}`.replace(/[^A-Za-z0-9_]/g, '_');
  return mongoUriForDatabase(mongoUri, name);
}

export async function dropMongoDatabase(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}

/** A provider on fresh storage, unconnected, and how to clean that storage up after it is closed. */
export interface FreshProvider {
  provider: QueueProvider;
  /** What the provider's storage is called: the Redis prefix, the MongoDB URI or the PostgreSQL schema (for a child process to open the same). */
  location: string;
  dropStorage: () => Promise<void>;
}

export function freshProvider(
  kind: ProviderKind,
  servers: BenchServers,
  label: string,
  build: ProviderConstructors = THIS_BUILD,
): FreshProvider {
  const { BullQueueProvider, AgendaQueueProvider, MemoryQueueProvider } = build;
  switch (kind) {
    case 'bull': {
      const prefix = freshRedisPrefix(label);
      return {
        provider: new BullQueueProvider({ redisUrl: servers.redisUrl, prefix }),
        location: prefix,
        dropStorage: () => deleteRedisPrefix(servers.redisUrl, prefix),
      };
    }
    case 'agenda': {
      const uri = freshMongoUri(servers.mongoUri, label);
      return {
        provider: new AgendaQueueProvider({ mongoUrl: uri, processEveryMs: AGENDA_PROCESS_EVERY_MS }),
        location: uri,
        dropStorage: () => dropMongoDatabase(uri),
      };
    }
    case 'bullmq-redis': {
      const prefix = freshRedisPrefix(label);
      return {
        provider: new BullMQQueueProvider({ backend: 'redis', redisUrl: servers.redisUrl, prefix }),
        location: prefix,
        dropStorage: () => deleteRedisPrefix(servers.redisUrl, prefix),
      };
    }
    case 'bullmq-postgres': {
      const schema = freshPostgresSchema(label);
      const { databaseUrl } = servers;
      return {
        provider: new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema }),
        location: schema,
        dropStorage: () => dropPostgresSchema(databaseUrl, schema),
      };
    }
    case 'memory':
      return { provider: new MemoryQueueProvider(), location: 'memory', dropStorage: async () => {} };
  }
}

/** The same small payload in every benchmark, raw or provider: a reminder's worth of data. */
export function benchPayload(index: number): {
  bookingId: string;
  customerId: string;
  amountCents: number;
  seq: number;
} {
  return {
    bookingId: `booking-${index}`,
    customerId: `customer-${index % 977}`,
    amountCents: 1000 + (index % 5000),
    seq: index,
  };
}

/**
 * Calls `add(i)` for i in 0..count-1, `window` at a time (the next window starts
 * when the whole previous one has resolved): the adding pattern every variant shares.
 */
export async function addInWindows(
  count: number,
  window: number,
  add: (index: number) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < count; start += window) {
    const end = Math.min(count, start + window);
    const pending: Promise<unknown>[] = [];
    for (let index = start; index < end; index += 1) pending.push(add(index));
    await Promise.all(pending);
  }
}

/** A promise and its resolve/reject, for "the last job finished". */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects if `promise` has not settled within `ms` (a stuck benchmark must not hang the run). */
export async function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
