/**
 * Throughput, add + process: a worker with concurrency C is started, then N jobs are
 * added in windows of ADD_WINDOW concurrent adds; the clock runs from the first add
 * to the last completion (as the library reports it: Bull's and Agenda's 'completed'
 * / 'complete' events, the provider's 'completed'). The processor does nothing, so
 * the figure is the queue's own cost per job.
 *
 * Raw variants use each library directly, on the same Redis / MongoDB with the same
 * concurrency, payloads and adding pattern, configured as the provider configures it
 * (see `support/raw-queues.ts`). Raw Bull runs three times over: with Bull's default
 * job options and connections (what the target compares with); with the options the
 * provider gives a job (`raw-bull-options`); and with those options and a command
 * connection that sends a turn's commands in one write, as the provider's does
 * (`raw-bull-coalesced`). The steps between them tell what the options cost Bull, what
 * the coalesced writes save, and what the provider's own code costs.
 *
 * Raw BullMQ runs on each backend BullMQQueueProvider runs on, twice over: as a
 * service sets it up (`raw-bullmq-redis`, `raw-bullmq-postgres`: what the target
 * compares with), and with the provider's job options (`-options`; on PostgreSQL also
 * the provider's pool sizes), which leaves the provider's own code between it and the
 * provider (see `support/raw-bullmq.ts`).
 */
import type Bull from 'bull';
import type { JobsOptions } from 'bullmq';
import {
  addInWindows,
  benchPayload,
  deferred,
  deleteRedisPrefix,
  dropMongoDatabase,
  freshMongoUri,
  freshProvider,
  freshRedisPrefix,
  providerOfVariant,
  withinMs,
  type BenchServers,
  type ProviderConstructors,
  type ProviderVariant,
} from '../support/bench-backends.js';
import { openRawAgenda, openRawBull, providerLikeJobOptions } from '../support/raw-queues.js';
import { openRawBullMQ, providerLikeBullMQJobOptions, type RawBullMQBackend } from '../support/raw-bullmq.js';
import { agendaRetention, bullRetention, providerRetention, type BenchRetention } from '../support/bench-retention.js';

export type ThroughputVariant =
  | 'raw-bull'
  | 'raw-bull-options'
  | 'raw-bull-coalesced'
  | 'raw-agenda'
  | `raw-bullmq-${RawBullMQBackend}`
  | `raw-bullmq-${RawBullMQBackend}-options`
  | ProviderVariant;

export interface ThroughputSettings {
  jobs: number;
  concurrency: number;
  /** Adds in flight at once. */
  addWindow: number;
  /** A run that takes longer fails (so a stuck backend cannot hang the benchmark). */
  timeoutMs: number;
  /** What every job is given, raw or provider alike (default keep all). */
  retention?: BenchRetention;
}

export interface ThroughputResult {
  jobsPerSecond: number;
  elapsedMs: number;
}

const JOB_NAME = 'bench-throughput';

export async function runThroughput(
  variant: ThroughputVariant,
  servers: BenchServers,
  settings: ThroughputSettings,
  baseline?: ProviderConstructors,
): Promise<ThroughputResult> {
  switch (variant) {
    case 'raw-bull':
      return rawBull(servers, settings, () => undefined);
    case 'raw-bull-options':
      return rawBull(servers, settings, providerLikeJobOptions);
    case 'raw-bull-coalesced':
      return rawBull(servers, settings, providerLikeJobOptions, { coalesced: true });
    case 'raw-agenda':
      return rawAgenda(servers, settings);
    case 'raw-bullmq-redis':
    case 'raw-bullmq-postgres':
      return rawBullMQ(variant === 'raw-bullmq-redis' ? 'redis' : 'postgres', servers, settings, () => undefined);
    case 'raw-bullmq-redis-options':
    case 'raw-bullmq-postgres-options':
      return rawBullMQ(
        variant === 'raw-bullmq-redis-options' ? 'redis' : 'postgres',
        servers,
        settings,
        providerLikeBullMQJobOptions,
        { setUpAlike: true },
      );
    default:
      return viaProvider(variant, servers, settings, baseline);
  }
}

function result(jobs: number, startedAt: number): ThroughputResult {
  const elapsedMs = performance.now() - startedAt;
  return { elapsedMs, jobsPerSecond: jobs / (elapsedMs / 1000) };
}

async function rawBull(
  servers: BenchServers,
  settings: ThroughputSettings,
  jobOptions: () => Bull.JobOptions | undefined,
  connection: { coalesced?: boolean } = {},
): Promise<ThroughputResult> {
  const prefix = freshRedisPrefix('raw-bull-tp');
  const queue = openRawBull(JOB_NAME, servers.redisUrl, prefix, connection);
  const allDone = deferred();
  let completed = 0;
  queue.on('completed', () => {
    completed += 1;
    if (completed === settings.jobs) allDone.resolve();
  });
  queue.on('error', (error: Error) => allDone.reject(error));
  try {
    await queue.isReady();
    void queue.process(settings.concurrency, async () => undefined).catch((error: unknown) => allDone.reject(error));
    const startedAt = performance.now();
    const retention = bullRetention(settings.retention ?? 'keep-all');
    await addInWindows(settings.jobs, settings.addWindow, (index) =>
      queue.add(benchPayload(index), { ...jobOptions(), ...retention }),
    );
    await withinMs(allDone.promise, settings.timeoutMs, 'raw bull throughput');
    return result(settings.jobs, startedAt);
  } finally {
    await queue.close();
    await deleteRedisPrefix(servers.redisUrl, prefix);
  }
}

async function rawBullMQ(
  backend: RawBullMQBackend,
  servers: BenchServers,
  settings: ThroughputSettings,
  jobOptions: () => JobsOptions | undefined,
  setUp: { setUpAlike?: boolean } = {},
): Promise<ThroughputResult> {
  const raw = await openRawBullMQ(backend, JOB_NAME, servers, setUp);
  const allDone = deferred();
  let completed = 0;
  try {
    const worker = await raw.startWorker(async () => undefined, settings.concurrency);
    worker.on('completed', () => {
      completed += 1;
      if (completed === settings.jobs) allDone.resolve();
    });
    worker.on('failed', (_job, error) => allDone.reject(error));
    worker.on('error', (error) => allDone.reject(error));
    const startedAt = performance.now();
    const retention = bullRetention(settings.retention ?? 'keep-all');
    await addInWindows(settings.jobs, settings.addWindow, (index) =>
      raw.queue.add(JOB_NAME, benchPayload(index), { ...jobOptions(), ...retention }),
    );
    await withinMs(allDone.promise, settings.timeoutMs, `raw bullmq (${backend}) throughput`);
    return result(settings.jobs, startedAt);
  } finally {
    await raw.close();
  }
}

async function rawAgenda(servers: BenchServers, settings: ThroughputSettings): Promise<ThroughputResult> {
  const uri = freshMongoUri(servers.mongoUri, 'raw_agenda_tp');
  const raw = await openRawAgenda(uri);
  const allDone = deferred();
  let completed = 0;
  raw.agenda.on('complete', () => {
    completed += 1;
    if (completed === settings.jobs) allDone.resolve();
  });
  raw.agenda.on('error', (error: Error) => allDone.reject(error));
  raw.define(JOB_NAME, async () => undefined, settings.concurrency, agendaRetention(settings.retention ?? 'keep-all'));
  try {
    await raw.agenda.start();
    const startedAt = performance.now();
    await addInWindows(settings.jobs, settings.addWindow, (index) => raw.agenda.now(JOB_NAME, benchPayload(index)));
    await withinMs(allDone.promise, settings.timeoutMs, 'raw agenda throughput');
    return result(settings.jobs, startedAt);
  } finally {
    await raw.close();
    await dropMongoDatabase(uri);
  }
}

async function viaProvider(
  variant: ProviderVariant,
  servers: BenchServers,
  settings: ThroughputSettings,
  baseline: ProviderConstructors | undefined,
): Promise<ThroughputResult> {
  const { kind, build } = providerOfVariant(variant, baseline);
  const { provider, dropStorage } = freshProvider(kind, servers, `${kind}-tp`, build);
  const allDone = deferred();
  let completed = 0;
  provider.on('completed', () => {
    completed += 1;
    if (completed === settings.jobs) allDone.resolve();
  });
  provider.on('failed', (_job, error) => allDone.reject(error));
  provider.on('error', (error) => allDone.reject(error));
  try {
    await provider.connect();
    provider.registerProcessor(
      { name: JOB_NAME, process: async () => undefined },
      { concurrency: settings.concurrency },
    );
    await provider.start();
    const startedAt = performance.now();
    const retention = providerRetention(settings.retention ?? 'keep-all');
    await addInWindows(settings.jobs, settings.addWindow, (index) =>
      provider.scheduleJob(JOB_NAME, benchPayload(index), retention),
    );
    await withinMs(allDone.promise, settings.timeoutMs, `${variant} provider throughput`);
    return result(settings.jobs, startedAt);
  } finally {
    await provider.close({ timeoutMs: 5000 });
    await dropStorage();
  }
}
