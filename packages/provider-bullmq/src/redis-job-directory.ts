import type { Redis } from 'ioredis';
import type { JobDirectory } from './job-directory.js';

/**
 * The job directory in two Redis keys beside BullMQ's: `<prefix>:switchyard-ids`, a
 * hash id -> name claimed with HSETNX, and `<prefix>:switchyard-names`, a set. BullMQ's
 * keys all have at least three parts (`<prefix>:<queue>:<suffix or job id>`), so a
 * key of two parts is never one of them, whatever the queue names and job ids.
 */
export class RedisJobDirectory implements JobDirectory {
  private readonly idsKey: string;
  private readonly namesKey: string;

  constructor(
    private readonly redis: () => Redis,
    private readonly prefix: string,
  ) {
    this.idsKey = `${prefix}:switchyard-ids`;
    this.namesKey = `${prefix}:switchyard-names`;
  }

  async prepare(): Promise<void> {}

  async claim(entries: readonly { id: string; name: string }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const pipeline = this.redis().pipeline();
    for (const { id, name } of entries) pipeline.hsetnx(this.idsKey, id, name).sadd(this.namesKey, name);
    const results = (await pipeline.exec()) ?? [];
    const claimed = new Set<string>();
    entries.forEach(({ id }, index) => {
      const [error, value] = results[2 * index] ?? [null, 0];
      if (error) throw error;
      if (value === 1) claimed.add(id);
    });
    return claimed;
  }

  async overwrite(id: string, name: string): Promise<void> {
    await this.redis().multi().hset(this.idsKey, id, name).sadd(this.namesKey, name).exec();
  }

  async nameOf(id: string): Promise<string | null> {
    return this.redis().hget(this.idsKey, id);
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis().hdel(this.idsKey, ...ids);
  }

  /** The names claimed here, and those of BullMQ queues under the prefix that other producers made (their `meta` hash). */
  async names(): Promise<string[]> {
    const names = new Set(await this.redis().smembers(this.namesKey));
    const pattern = `${escapeGlob(this.prefix)}:*:meta`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis().scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(this.prefix.length + 1, -':meta'.length);
        if (name !== '' && !name.includes(':')) names.add(name);
      }
    } while (cursor !== '0');
    return [...names];
  }
}

/** `text` matched literally in a Redis glob pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
