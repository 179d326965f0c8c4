/**
 * Bull and Agenda used directly, as the baselines the providers are compared with.
 * Each is configured as its provider configures it wherever a setting changes the
 * work done per job, so that a ratio provider / raw measures the provider's own cost:
 *
 * - Bull: the provider's queue settings (lock duration, stalled check, retry delay);
 * - Agenda 6 on `@agendajs/mongo-backend`: the provider's polling interval, lock
 *   lifetime, global cap on running jobs, per-name concurrency and lock limit, and an
 *   in-process notification channel (the provider wakes its Agenda the same way).
 */
import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { DEFAULT_ATTEMPTS, DEFAULT_PRIORITY } from '@switchyard/core';
import { DEFAULT_LOCK_LIFETIME_MS } from '@switchyard/provider-agenda';
import { coalesceWrites } from '@switchyard/provider-bull';
import { AGENDA_PROCESS_EVERY_MS } from './bench-backends.js';

/** The provider's defaults for Bull's queue settings (see BullQueueProvider.queueFor). */
const BULL_SETTINGS = {
  lockDuration: 30_000,
  stalledInterval: 30_000,
  maxStalledCount: 1,
  retryProcessDelay: 1000,
} as const;

/** The provider's cap on running jobs in one process: per-name concurrency is the limit that matters. */
const AGENDA_MAX_CONCURRENCY = 10_000;

/**
 * The Bull job options BullQueueProvider gives a job scheduled with no options (see
 * its `toBullJobOptions`): its own id, and the contract's defaults, priority 5 (Bull's
 * priority path, so that priorities order jobs) and 3 attempts. A raw Bull run with
 * these shows what those options cost in Bull itself, apart from the provider's code.
 */
export function providerLikeJobOptions(): Bull.JobOptions {
  return { jobId: randomUUID(), priority: DEFAULT_PRIORITY, attempts: DEFAULT_ATTEMPTS, delay: 0 };
}

/**
 * Raw Bull with its own connections. `coalesced`: its command connection sends a turn's
 * commands in one write, as BullQueueProvider's does (`coalesceWrites`); otherwise the
 * connections are Bull's defaults for a URL.
 */
export function openRawBull(
  name: string,
  redisUrl: string,
  prefix: string,
  options: { coalesced?: boolean } = {},
): Bull.Queue {
  if (options.coalesced !== true) return new Bull(name, redisUrl, { prefix, settings: BULL_SETTINGS });
  return new Bull(name, {
    prefix,
    settings: BULL_SETTINGS,
    createClient: (type) => {
      // What Bull asks of its subscriber and blocking connections.
      const client = new Redis(
        redisUrl,
        type === 'client' ? {} : { maxRetriesPerRequest: null, enableReadyCheck: false },
      );
      if (type === 'client') client.on('connect', () => coalesceWrites(client.stream));
      return client;
    },
  });
}

export interface RawAgenda {
  agenda: Agenda;
  /** Defines `name` with the provider's per-name settings for `concurrency`, and Agenda's `removeOnComplete` if given. */
  define(
    name: string,
    handler: () => Promise<void>,
    concurrency: number,
    retention?: { removeOnComplete?: boolean },
  ): void;
  close(): Promise<void>;
}

export async function openRawAgenda(uri: string): Promise<RawAgenda> {
  const client = await MongoClient.connect(uri);
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: client.db() }),
    processEvery: AGENDA_PROCESS_EVERY_MS,
    defaultLockLifetime: DEFAULT_LOCK_LIFETIME_MS,
    maxConcurrency: AGENDA_MAX_CONCURRENCY,
    notificationChannel: new InMemoryNotificationChannel(),
  });
  await agenda.ready;
  return {
    agenda,
    define: (name, handler, concurrency, retention = {}) =>
      agenda.define(name, handler, {
        concurrency,
        lockLimit: concurrency,
        lockLifetime: DEFAULT_LOCK_LIFETIME_MS,
        ...retention,
      }),
    close: async () => {
      await agenda.stop(false).catch(() => undefined);
      await client.close();
    },
  };
}
