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
 * An id the provider generated for a one-off job (a random UUID, from the provider kit) is not
 * claimed: no other job can have it, and a claim would cost a Redis round trip per job,
 * a fifth of the provider's work per job. Such a job is found by its Bull job hash,
 * `<prefix>:<name>:<id>`, under each known name, in one script call. A claim of a
 * UUID-shaped id looks there too, so a caller reusing a generated id under another name
 * still gets the existing job. A claim of any other id looks there for a plain Bull job
 * holding it (see `plain-bull-job-id.ts`): such an id is taken too.
 *
 * Its keys are listed with Bull's in `bull-keys.ts`.
 */
import type { Redis } from 'ioredis';
import { ValidationError, type RepeatOptions } from '@switchyard/core';
import { fromBullJobId, toBullJobId } from './bull-job-id.js';
import type { BullKeys } from './bull-keys.js';
import { withIndexScripts } from './bull-job-index-scripts.js';
import { mayBeGeneratedJobId } from '@switchyard/core/provider-kit';
import { mayBePlainBullJobId, parsePlainJobId, plainJobId } from './plain-bull-job-id.js';

/** Only an id of the kit's generated shape may be a job of Switchyard's the index holds no entry for. */
export function mayBeUnclaimed(id: string): boolean {
  return mayBeGeneratedJobId(id);
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
  /** Set (never stored) when the id names a job plain Bull code added (see `resolve`). */
  plain?: true;
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

  /**
   * The job `id` names: Switchyard's (as `lookup`), else a plain Bull job's, by its
   * `<queue>:<bull id>` or by its bare Bull id when one queue only holds it (see
   * `plain-bull-job-id.ts`). Throws `ValidationError` when several queues do.
   */
  async resolve(id: string): Promise<IndexEntry | null> {
    if (!mayBePlainBullJobId(id)) return this.lookup(id);
    const qualified = parsePlainJobId(id);
    const [kind, ...values] = await withIndexScripts(this.redis()).switchyardResolveJobId(
      this.jobsKey,
      this.namesKey,
      this.bullKeyPrefix,
      id,
      qualified?.name ?? '',
      qualified?.bullJobId ?? '',
    );
    if (kind === 'entry') return JSON.parse(values[0] ?? '') as IndexEntry;
    if (kind === 'qualified' && qualified !== undefined) {
      return { name: qualified.name, bullJobId: qualified.bullJobId, plain: true };
    }
    if (values.length === 0) return null;
    if (values.length > 1) {
      const forms = values.map((name) => `'${plainJobId(name, id)}'`).join(', ');
      throw new ValidationError('jobId', `is the Bull id of jobs in several queues: give one of ${forms}`);
    }
    return { name: values[0] ?? '', bullJobId: id, plain: true };
  }

  /**
   * For each of a page of jobs of `name` (by Bull id), whether the index claims that Bull
   * id for a job of `name`: then it is Switchyard's, not a plain one.
   */
  async claimsAmong(name: string, bullJobIds: readonly string[]): Promise<boolean[]> {
    const entries = await this.entriesOf(bullJobIds);
    return bullJobIds.map((bullJobId, index) => {
      const entry = entries[index];
      return entry != null && entry.name === name && bullJobIdOf(bullJobId, entry) === bullJobId;
    });
  }

  /** The entry of each id, null for one the index does not claim. */
  async entriesOf(ids: readonly string[]): Promise<(IndexEntry | null)[]> {
    if (ids.length === 0) return [];
    const entries = await this.redis().hmget(this.jobsKey, ...ids);
    return entries.map((json) => (json === null ? null : (JSON.parse(json) as IndexEntry)));
  }

  /** For each series id, whether the index holds a repeating job of that id. */
  async seriesAmong(ids: readonly string[]): Promise<boolean[]> {
    return (await this.entriesOf(ids)).map((entry) => entry?.repeat !== undefined);
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

  async addNames(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.redis().sadd(this.namesKey, ...names);
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

function claimArguments(id: string, entry: IndexEntry): string[] {
  const mode = mayBeUnclaimed(id) ? '1' : mayBePlainBullJobId(id) ? '2' : '0';
  const qualified = mode === '2' ? parsePlainJobId(id) : undefined;
  return [id, JSON.stringify(entry), entry.name, mode, qualified?.name ?? '', qualified?.bullJobId ?? ''];
}
