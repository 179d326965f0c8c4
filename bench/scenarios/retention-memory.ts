/**
 * What retention leaves in Redis: a long run through BullQueueProvider with
 * `removeOnComplete: 1000` and caller ids (which the provider's id index claims), then
 * a count of what is left under the run's prefix: Bull's completed set, the job hashes
 * (every key of the queue that is a hash) and the index's entries. With retention
 * working, each is about 1,000 however many jobs ran, and the index holds nothing for
 * the jobs that were removed.
 */
import { Redis } from 'ioredis';
import {
  addInWindows,
  benchPayload,
  deferred,
  freshProvider,
  withinMs,
  type BenchServers,
} from '../support/bench-backends.js';

export interface RetentionMemoryResult {
  jobs: number;
  keep: number;
  seconds: number;
  completedSetSize: number;
  jobHashes: number;
  indexEntries: number;
}

const JOB_NAME = 'bench-retention';
const KEEP = 1000;

export async function runRetentionMemory(servers: BenchServers, jobs: number): Promise<RetentionMemoryResult> {
  const { provider, location: prefix, dropStorage } = freshProvider('bull', servers, 'bull-retention');
  const allDone = deferred();
  let completed = 0;
  provider.on('completed', () => {
    completed += 1;
    if (completed === jobs) allDone.resolve();
  });
  provider.on('failed', (_job, error) => allDone.reject(error));
  const startedAt = performance.now();
  try {
    await provider.connect();
    provider.registerProcessor({ name: JOB_NAME, process: async () => undefined }, { concurrency: 50 });
    await provider.start();
    await addInWindows(jobs, 100, (index) =>
      provider.scheduleJob(JOB_NAME, benchPayload(index), { jobId: `order-${index}`, removeOnComplete: KEEP }),
    );
    await withinMs(allDone.promise, 30 * 60_000, 'retention memory run');
  } finally {
    // close() applies the trims still pending.
    await provider.close({ timeoutMs: 5000 });
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const redis = new Redis(servers.redisUrl);
  try {
    const queuePrefix = `${prefix}:${JOB_NAME}:`;
    let jobHashes = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}*`, 'COUNT', 1000);
      cursor = next;
      const types = await Promise.all(keys.map((key) => redis.type(key)));
      jobHashes += types.filter((type) => type === 'hash').length;
    } while (cursor !== '0');
    return {
      jobs,
      keep: KEEP,
      seconds,
      completedSetSize: await redis.zcard(`${queuePrefix}completed`),
      jobHashes,
      indexEntries: await redis.hlen(`${prefix}::jobs`),
    };
  } finally {
    redis.disconnect();
    await dropStorage();
  }
}
