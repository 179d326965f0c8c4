/**
 * The provider's own bookkeeping in Redis, next to Bull's queues.
 *
 * Bull's job ids are unique per queue, but the contract's are unique per provider
 * (across job names), and `getJob`, `cancelJob` and `retryJob` get an id without a
 * name. So every job id is claimed in one hash, `id -> entry`, with HSETNX *before*
 * the job is added: of two producers (in any processes) scheduling the same id, only
 * the one whose HSETNX succeeds adds a job; the other returns the id unchanged.
 *
 * Keys live under `<prefix>::`, i.e. the Bull "queue" with an empty name, which no
 * contract job name can be (names must be non-empty), so they never meet Bull's keys.
 *
 * | key                         | type | holds                                            |
 * |-----------------------------|------|--------------------------------------------------|
 * | `<prefix>::jobs`            | hash | job id -> JSON `IndexEntry`                      |
 * | `<prefix>::names`           | set  | every job name ever used (for stats, lists, pause) |
 * | `<prefix>::repeat-keys`     | hash | Bull repeatable key -> job id (for export)       |
 * | `<prefix>::paused-everywhere` | string | set by `pause()` without a name              |
 */
import type { Redis } from 'ioredis';
import type { RepeatOptions } from '@switchyard/core';

/** What the index knows about a job id. */
export interface IndexEntry {
  name: string;
  /** Set for a repeating job: the series' schedule as the caller gave it ... */
  repeat?: RepeatOptions;
  /** ... and when the series was created (each occurrence has its own Bull timestamp). */
  createdAt?: number;
}

export class BullJobIndex {
  private readonly jobsKey: string;
  private readonly namesKey: string;
  private readonly repeatKeysKey: string;
  private readonly pausedEverywhereKey: string;

  constructor(
    private readonly redis: () => Redis,
    prefix: string,
  ) {
    this.jobsKey = `${prefix}::jobs`;
    this.namesKey = `${prefix}::names`;
    this.repeatKeysKey = `${prefix}::repeat-keys`;
    this.pausedEverywhereKey = `${prefix}::paused-everywhere`;
  }

  /**
   * Claims `id` for a new job; false when the id is already taken (by a job of any name).
   * One script call (atomic, like MULTI) rather than MULTI/EXEC: it runs once per
   * scheduled job, and an ioredis transaction costs several times a script's CPU.
   */
  async claim(id: string, entry: IndexEntry): Promise<boolean> {
    const claimed = await withClaimScript(this.redis()).switchyardClaimJobId(this.jobsKey, this.namesKey, id, JSON.stringify(entry), entry.name);
    return claimed === 1;
  }

  /** Claims many ids at once; the ids that were free (and are now claimed). */
  async claimAll(entries: { id: string; entry: IndexEntry }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const multi = this.redis().multi();
    for (const { id, entry } of entries) multi.hsetnx(this.jobsKey, id, JSON.stringify(entry));
    multi.sadd(this.namesKey, ...new Set(entries.map(({ entry }) => entry.name)));
    const results = (await multi.exec()) ?? [];
    return new Set(entries.filter((_, index) => results[index]?.[1] === 1).map(({ id }) => id));
  }

  /** Sets the entry of an id whether or not it was taken (import with `onExisting: 'replace'`). */
  async overwrite(id: string, entry: IndexEntry): Promise<void> {
    await this.redis().multi().hset(this.jobsKey, id, JSON.stringify(entry)).sadd(this.namesKey, entry.name).exec();
  }

  async lookup(id: string): Promise<IndexEntry | null> {
    const json = await this.redis().hget(this.jobsKey, id);
    return json === null ? null : (JSON.parse(json) as IndexEntry);
  }

  async release(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis().hdel(this.jobsKey, ...ids);
  }

  async names(): Promise<string[]> {
    return this.redis().smembers(this.namesKey);
  }

  async addName(name: string): Promise<void> {
    await this.redis().sadd(this.namesKey, name);
  }

  async rememberRepeatKey(repeatKey: string, id: string): Promise<void> {
    await this.redis().hset(this.repeatKeysKey, repeatKey, id);
  }

  async idsOfRepeatKeys(repeatKeys: string[]): Promise<(string | null)[]> {
    if (repeatKeys.length === 0) return [];
    return this.redis().hmget(this.repeatKeysKey, ...repeatKeys);
  }

  async forgetRepeatKey(repeatKey: string): Promise<void> {
    await this.redis().hdel(this.repeatKeysKey, repeatKey);
  }

  async isPausedEverywhere(): Promise<boolean> {
    return (await this.redis().exists(this.pausedEverywhereKey)) === 1;
  }

  async setPausedEverywhere(paused: boolean): Promise<void> {
    if (paused) await this.redis().set(this.pausedEverywhereKey, '1');
    else await this.redis().del(this.pausedEverywhereKey);
  }
}

/** HSETNX the id's entry and SADD its name, atomically; 1 when the id was free. */
const CLAIM_JOB_ID_SCRIPT = `
local claimed = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
return claimed`;

interface ClaimScript {
  switchyardClaimJobId(jobsKey: string, namesKey: string, id: string, entryJson: string, name: string): Promise<number>;
}

/** The client with the claim script defined on it (once per client; ioredis sends it by its SHA). */
function withClaimScript(redis: Redis): Redis & ClaimScript {
  const client = redis as Redis & Partial<ClaimScript>;
  if (client.switchyardClaimJobId === undefined) {
    redis.defineCommand('switchyardClaimJobId', { numberOfKeys: 2, lua: CLAIM_JOB_ID_SCRIPT });
  }
  return client as Redis & ClaimScript;
}
