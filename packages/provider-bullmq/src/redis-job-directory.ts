import type { Redis } from 'ioredis';
import { mayBeGeneratedJobId } from '@switchyard/core/provider-kit';
import { toBullMQJobId } from './bullmq-job-id.js';
import type { JobDirectory } from './job-directory.js';
import { NotedNames } from './noted-names.js';
import { withDirectoryScripts } from './redis-job-directory-scripts.js';

/**
 * The job directory in two Redis keys beside BullMQ's: `<prefix>:switchyard-ids`, a
 * hash id -> name claimed with HSETNX, and `<prefix>:switchyard-names`, a set. BullMQ's
 * keys all have at least three parts (`<prefix>:<queue>:<suffix or job id>`), so a
 * key of two parts is never one of them, whatever the queue names and job ids.
 *
 * Generated ids are not claimed: BullMQ's job hash `<prefix>:<name>:<id>` holds such a
 * job, under a name of the set (see `redis-job-directory-scripts.ts`). Claims are Lua
 * scripts, not pipelines: an ioredis pipeline copies every command defined on its
 * client, and BullMQ defines dozens on the client it shares with the directory.
 */
export class RedisJobDirectory implements JobDirectory {
  readonly claimsGeneratedIds = false;
  private readonly idsKey: string;
  private readonly namesKey: string;
  private readonly keyPrefix: string;
  private readonly notedNames = new NotedNames((name) => this.redis().sadd(this.namesKey, name));

  constructor(
    private readonly redis: () => Redis,
    private readonly prefix: string,
  ) {
    this.idsKey = `${prefix}:switchyard-ids`;
    this.namesKey = `${prefix}:switchyard-names`;
    this.keyPrefix = `${prefix}:`;
  }

  async prepare(): Promise<void> {}

  noteName(name: string): Promise<void> {
    return this.notedNames.note(name);
  }

  async claim(entries: readonly { id: string; name: string }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const idArguments = entries.flatMap(({ id, name }) => [id, name, toBullMQJobId(id), uuidShaped(id)]);
    const results = await withDirectoryScripts(this.redis()).switchyardClaimIds(
      this.idsKey,
      this.namesKey,
      this.keyPrefix,
      ...idArguments,
    );
    return new Set(entries.filter((_, index) => results[index] === 1).map(({ id }) => id));
  }

  async overwrite(id: string, name: string): Promise<void> {
    await this.redis().multi().hset(this.idsKey, id, name).sadd(this.namesKey, name).exec();
  }

  async nameOf(id: string): Promise<string | null> {
    return withDirectoryScripts(this.redis()).switchyardNameOf(
      this.idsKey,
      this.namesKey,
      this.keyPrefix,
      id,
      toBullMQJobId(id),
      uuidShaped(id),
    );
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

/** The scripts' flag for an id that may be an unclaimed generated one. */
function uuidShaped(id: string): '0' | '1' {
  return mayBeGeneratedJobId(id) ? '1' : '0';
}

/** `text` matched literally in a Redis glob pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
