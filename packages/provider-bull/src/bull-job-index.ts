/**
 * The provider's own bookkeeping in Redis, next to Bull's queues.
 *
 * Bull's job ids are unique per queue, but the contract's are unique per provider
 * (across job names), and `getJob`, `cancelJob` and `retryJob` get an id without a
 * name. So a job id the caller chose (and every repeating job's id) is claimed in one
 * hash, `id -> entry`, with HSETNX *before* the job is added: of two producers (in any
 * processes) scheduling the same id, only the one whose claim succeeds adds a job; the
 * other returns the id unchanged.
 *
 * An id the provider generated for a one-off job (a random UUID, see `newJobId`) is not
 * claimed: no other job can have it, and a claim would cost a Redis round trip per job,
 * a fifth of the provider's work per job. Such a job is found by its Bull job hash,
 * `<prefix>:<name>:<id>`, under each known name, in one script call. A claim of a
 * UUID-shaped id looks there too, so a caller reusing a generated id under another name
 * still gets the existing job.
 *
 * Its keys are listed with Bull's in `bull-keys.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RepeatOptions } from '@switchyard/core';
import { fromBullJobId, toBullJobId } from './bull-job-id.js';
import type { BullKeys } from './bull-keys.js';

/** An id for a one-off job scheduled without one; it is not claimed (see above). */
export function newJobId(): string {
  return randomUUID();
}

/** The shape of `newJobId`'s ids: only an id of this shape may be a job the index holds no entry for. */
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function mayBeUnclaimed(id: string): boolean {
  return GENERATED_ID.test(id);
}

/** What the index knows about a job id (for an unclaimed one, only its name). */
export interface IndexEntry {
  name: string;
  /**
   * The Bull job id that stores the job, when it is not the caller's id itself (see
   * `toBullJobId`). Entries written before ids were encoded never have it: their
   * jobs were stored under the caller's id verbatim.
   */
  bullJobId?: string;
  /** Set for a repeating job: the series' schedule as the caller gave it ... */
  repeat?: RepeatOptions;
  /** ... and when the series was created (each occurrence has its own Bull timestamp). */
  createdAt?: number;
}

/** The index entry of a new job `id` of `name`, with its Bull job id when that differs from `id`. */
export function newIndexEntry(
  id: string,
  name: string,
  series?: { repeat: RepeatOptions; createdAt: number },
): IndexEntry {
  const entry: IndexEntry = { name };
  const bullJobId = toBullJobId(id);
  if (bullJobId !== id) entry.bullJobId = bullJobId;
  if (series !== undefined) {
    entry.repeat = series.repeat;
    entry.createdAt = series.createdAt;
  }
  return entry;
}

/** The Bull job id of the job the index knows as `id`. */
export function bullJobIdOf(id: string, entry: IndexEntry): string {
  return entry.bullJobId ?? id;
}

export class BullJobIndex {
  private readonly jobsKey: string;
  private readonly namesKey: string;
  private readonly repeatKeysKey: string;
  private readonly pausedEverywhereKey: string;
  /** What a Bull job hash's key starts with: `<prefix>:`, then `<name>:<id>`. */
  private readonly bullKeyPrefix: string;

  constructor(
    private readonly redis: () => Redis,
    keys: BullKeys,
  ) {
    this.bullKeyPrefix = keys.queuePrefix;
    this.jobsKey = keys.indexJobs;
    this.namesKey = keys.indexNames;
    this.repeatKeysKey = keys.indexRepeatKeys;
    this.pausedEverywhereKey = keys.indexPausedEverywhere;
  }

  /** Claims `id` for a new job; false when the id is already taken (by a job of any name). */
  async claim(id: string, entry: IndexEntry): Promise<boolean> {
    return (await this.claimAll([{ id, entry }])).has(id);
  }

  /**
   * Claims many ids at once; the ids that were free (and are now claimed). One script
   * call (atomic, like MULTI) rather than MULTI/EXEC: it runs once per scheduled job
   * with a caller's id, and an ioredis transaction costs several times a script's CPU.
   */
  async claimAll(entries: { id: string; entry: IndexEntry }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const claimed = await withIndexScripts(this.redis()).switchyardClaimJobIds(
      this.jobsKey,
      this.namesKey,
      this.bullKeyPrefix,
      ...entries.flatMap(({ id, entry }) => claimArguments(id, entry)),
    );
    return new Set(entries.filter((_, index) => claimed[index] === 1).map(({ id }) => id));
  }

  /** Sets the entry of an id whether or not it was taken (import with `onExisting: 'replace'`). */
  async overwrite(id: string, entry: IndexEntry): Promise<void> {
    await this.redis().multi().hset(this.jobsKey, id, JSON.stringify(entry)).sadd(this.namesKey, entry.name).exec();
  }

  /** The id's entry; for an unclaimed generated id, the name whose queue holds its job. */
  async lookup(id: string): Promise<IndexEntry | null> {
    if (!mayBeUnclaimed(id)) {
      const json = await this.redis().hget(this.jobsKey, id);
      return json === null ? null : (JSON.parse(json) as IndexEntry);
    }
    const [kind, value] = await withIndexScripts(this.redis()).switchyardLookupJobId(
      this.jobsKey,
      this.namesKey,
      this.bullKeyPrefix,
      id,
    );
    if (kind === 'entry') return JSON.parse(value) as IndexEntry;
    return kind === 'name' ? { name: value } : null;
  }

  async release(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.redis().hdel(this.jobsKey, ...ids);
  }

  /**
   * Frees the ids of jobs of `name` that Bull removed by itself (`queue.clean`), known
   * only by their Bull ids. An id is freed only when its entry names that very Bull
   * job, so that an id an earlier version stored verbatim is never mistaken for the
   * one its Bull id decodes to.
   */
  async releaseBullJobIds(name: string, bullJobIds: string[]): Promise<void> {
    const candidates = [...new Set(bullJobIds.flatMap((bullJobId) => [bullJobId, fromBullJobId(bullJobId)]))];
    if (candidates.length === 0) return;
    const removed = new Set(bullJobIds);
    const entries = await this.redis().hmget(this.jobsKey, ...candidates);
    const freed = candidates.filter((id, index) => {
      const json = entries[index];
      if (json === null || json === undefined) return false;
      const entry = JSON.parse(json) as IndexEntry;
      return entry.name === name && entry.repeat === undefined && removed.has(bullJobIdOf(id, entry));
    });
    await this.release(freed);
  }

  async names(): Promise<string[]> {
    return this.redis().smembers(this.namesKey);
  }

  /** Which of `names` are known (have been used), in the order given: one round trip, nothing written. */
  async knownAmong(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const pipeline = this.redis().pipeline();
    for (const name of names) pipeline.sismember(this.namesKey, name);
    const results = (await pipeline.exec()) ?? [];
    return names.filter((_, index) => {
      const [error, member] = results[index] ?? [null, 0];
      if (error) throw error;
      return member === 1;
    });
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

/**
 * Claims ids: ARGV[1] is the Bull key prefix, then four values per id (id, entry JSON,
 * name, '1' when the id may be an unclaimed generated one). Per id, 1 when it was free:
 * no entry for it, and, for a UUID-shaped id, no Bull job hash of any known name.
 */
const CLAIM_JOB_IDS_SCRIPT = `
local claimed = {}
local names = false
for i = 2, #ARGV, 4 do
  local id = ARGV[i]
  local free = true
  if ARGV[i + 3] == '1' then
    names = names or redis.call('SMEMBERS', KEYS[2])
    for _, name in ipairs(names) do
      if redis.call('EXISTS', ARGV[1] .. name .. ':' .. id) == 1 then
        free = false
        break
      end
    end
  end
  if free then free = redis.call('HSETNX', KEYS[1], id, ARGV[i + 1]) == 1 end
  redis.call('SADD', KEYS[2], ARGV[i + 2])
  claimed[#claimed + 1] = free and 1 or 0
end
return claimed`;

/**
 * Looks an id up: {'entry', json} when claimed, else {'name', name} when a known
 * name's queue holds a Bull job hash of that id, else {'none', ''}.
 */
const LOOKUP_JOB_ID_SCRIPT = `
local entry = redis.call('HGET', KEYS[1], ARGV[2])
if entry then return {'entry', entry} end
for _, name in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. name .. ':' .. ARGV[2]) == 1 then return {'name', name} end
end
return {'none', ''}`;

function claimArguments(id: string, entry: IndexEntry): string[] {
  return [id, JSON.stringify(entry), entry.name, mayBeUnclaimed(id) ? '1' : '0'];
}

interface IndexScripts {
  switchyardClaimJobIds(
    jobsKey: string,
    namesKey: string,
    bullKeyPrefix: string,
    ...idArguments: string[]
  ): Promise<number[]>;
  switchyardLookupJobId(
    jobsKey: string,
    namesKey: string,
    bullKeyPrefix: string,
    id: string,
  ): Promise<['entry' | 'name' | 'none', string]>;
}

/** The client with the index's scripts defined on it (once per client; ioredis sends them by their SHA). */
function withIndexScripts(redis: Redis): Redis & IndexScripts {
  const client = redis as Redis & Partial<IndexScripts>;
  if (client.switchyardClaimJobIds === undefined) {
    redis.defineCommand('switchyardClaimJobIds', { numberOfKeys: 2, lua: CLAIM_JOB_IDS_SCRIPT });
    redis.defineCommand('switchyardLookupJobId', { numberOfKeys: 2, lua: LOOKUP_JOB_ID_SCRIPT });
  }
  return client as Redis & IndexScripts;
}
