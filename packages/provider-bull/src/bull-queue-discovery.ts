/**
 * The Bull queues under the provider's prefix that Switchyard has not used itself:
 * plain Bull code's (the provider pointed at an existing prefix, Bull's default `bull`).
 *
 * Bull's addJob script increments `<prefix>:<queue>:id` for every job it adds, with an
 * id of its counter or not, so every queue that ever held a job has that key. The
 * queues found are recorded among the index's names, as if used: then every process
 * sees them, and a claim of an id checks their jobs (see `plain-bull-job-id.ts`). A
 * queue whose name is not a valid job name (one holding `:`) cannot be addressed
 * through the contract and is left out.
 */
import type { Redis } from 'ioredis';
import { validateJobName } from '@switchyard/core';
import type { BullKeys } from './bull-keys.js';

/** The suffix of the key every Bull queue has once a job was added to it. */
const COUNTER_SUFFIX = ':id';
/** Keys SCAN looks at per call: fewer round trips on a large keyspace. */
const SCAN_COUNT = 5000;

/** The names of every Bull queue under the prefix that ever held a job. */
export async function discoverQueueNames(redis: Redis, keys: BullKeys): Promise<string[]> {
  const pattern = `${escapeGlob(keys.queuePrefix)}*${COUNTER_SUFFIX}`;
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    for (const key of found) {
      const name = key.slice(keys.queuePrefix.length, -COUNTER_SUFFIX.length);
      if (isJobName(name)) names.add(name);
    }
  } while (cursor !== '0');
  return [...names];
}

/** Which of `names` are Bull queues that ever held a job, in the order given: one round trip. */
export async function existingQueueNames(redis: Redis, keys: BullKeys, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const name of names) pipeline.exists(keys.queue(name, COUNTER_SUFFIX.slice(1)));
  const results = (await pipeline.exec()) ?? [];
  return names.filter((_, index) => {
    const [error, exists] = results[index] ?? [null, 0];
    if (error) throw error;
    return exists === 1;
  });
}

function isJobName(name: string): boolean {
  try {
    validateJobName(name);
    return true;
  } catch {
    return false;
  }
}

/** `prefix` as a SCAN pattern that matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
