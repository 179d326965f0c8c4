/**
 * Enqueue only: jobs are added and nothing processes them (no worker is started), in
 * two patterns:
 *
 * - `one-at-a-time`: each add awaited before the next (a request handler that
 *   schedules one reminder);
 * - `batched`: windows of BATCH_WINDOW adds in flight at once (a producer that
 *   schedules many, e.g. an import), the same pattern as the throughput benchmark.
 *
 * The contract has no bulk `scheduleJob`, so a batch is concurrent single calls.
 * Raw Bull (`queue.add`), raw BullMQ on each backend (`queue.add`) and raw Agenda
 * (`agenda.now`) are measured the same way, for the ratio provider / raw.
 */
import {
  addInWindows,
  benchPayload,
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
import { openRawAgenda, openRawBull } from '../support/raw-queues.js';
import { openRawBullMQ, type RawBullMQBackend } from '../support/raw-bullmq.js';
import { bullRetention, providerRetention, type BenchRetention } from '../support/bench-retention.js';

export type EnqueueVariant = 'raw-bull' | 'raw-agenda' | `raw-bullmq-${RawBullMQBackend}` | ProviderVariant;
export type EnqueuePattern = 'one-at-a-time' | 'batched';

export interface EnqueueSettings {
  jobs: number;
  /** Adds in flight at once for the batched pattern. */
  batchWindow: number;
  timeoutMs: number;
  /** The retention every job is given (default keep all); raw Agenda has none to give at enqueue. */
  retention?: BenchRetention;
}

const JOB_NAME = 'bench-enqueue';

/** Jobs added per second. */
export async function runEnqueue(
  variant: EnqueueVariant,
  pattern: EnqueuePattern,
  servers: BenchServers,
  settings: EnqueueSettings,
  baseline?: ProviderConstructors,
): Promise<number> {
  const { add, close } = await openProducer(variant, servers, baseline, settings.retention ?? 'keep-all');
  try {
    const window = pattern === 'batched' ? settings.batchWindow : 1;
    const startedAt = performance.now();
    await withinMs(addInWindows(settings.jobs, window, add), settings.timeoutMs, `${variant} enqueue ${pattern}`);
    return settings.jobs / ((performance.now() - startedAt) / 1000);
  } finally {
    await close();
  }
}

interface Producer {
  add: (index: number) => Promise<unknown>;
  close: () => Promise<void>;
}

async function openProducer(
  variant: EnqueueVariant,
  servers: BenchServers,
  baseline: ProviderConstructors | undefined,
  retention: BenchRetention,
): Promise<Producer> {
  if (variant === 'raw-bull') {
    const prefix = freshRedisPrefix('raw-bull-enq');
    const queue = openRawBull(JOB_NAME, servers.redisUrl, prefix);
    await queue.isReady();
    return {
      add: (index) => queue.add(benchPayload(index), bullRetention(retention)),
      close: async () => {
        await queue.close();
        await deleteRedisPrefix(servers.redisUrl, prefix);
      },
    };
  }
  if (variant === 'raw-bullmq-redis' || variant === 'raw-bullmq-postgres') {
    const raw = await openRawBullMQ(variant === 'raw-bullmq-redis' ? 'redis' : 'postgres', JOB_NAME, servers);
    return {
      add: (index) => raw.queue.add(JOB_NAME, benchPayload(index), bullRetention(retention)),
      close: () => raw.close(),
    };
  }
  if (variant === 'raw-agenda') {
    const uri = freshMongoUri(servers.mongoUri, 'raw_agenda_enq');
    const raw = await openRawAgenda(uri);
    return {
      add: (index) => raw.agenda.now(JOB_NAME, benchPayload(index)),
      close: async () => {
        await raw.close();
        await dropMongoDatabase(uri);
      },
    };
  }
  const { kind, build } = providerOfVariant(variant, baseline);
  const { provider, dropStorage } = freshProvider(kind, servers, `${kind}-enq`, build);
  await provider.connect();
  return {
    add: (index) => provider.scheduleJob(JOB_NAME, benchPayload(index), providerRetention(retention)),
    close: async () => {
      await provider.close({ timeoutMs: 5000 });
      await dropStorage();
    },
  };
}
