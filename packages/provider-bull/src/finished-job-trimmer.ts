/**
 * Applies count and age retention policies (see `bull-retention.ts`) to a Bull queue's
 * `completed` or `failed` set, as Bull's own KeepJobs would: jobs finished `ageMs`
 * or longer ago go, then all but the newest `count`; each job's hash and logs are
 * deleted, and the ids the provider's index held for them are freed. Batched by the
 * kit's `RetentionTrims`: removal happens within about 50 ms (the kit's trim delay) of
 * the finish that calls for it, 500 ms when the last trim of the name removed nothing.
 */
import type { Redis } from 'ioredis';
import type { RetentionPolicy } from '@switchyard/core';
import { RetentionTrims } from '@switchyard/core/provider-kit';
import type { BullJobIndex } from './bull-job-index.js';
import type { BullKeys } from './bull-keys.js';
import type { FinishedState } from './bull-retention.js';

/**
 * The most jobs one trim script call removes. A trim of a busy name removes hundreds
 * (every finish of the last 50 ms past the count), and Redis runs nothing else while a
 * script runs: one call for all of them stalled every worker's and producer's command
 * behind it for a millisecond or more, 20 times a second, where Bull's own count trim
 * removes a job or two in each finishing script. In calls of this many, other
 * commands run in between.
 */
export const TRIM_CHUNK = 100;

/**
 * KEYS[1]: the finished set (score = finishedOn ms); KEYS[2]: the index's hash of ids.
 * ARGV[1]: the queue's key prefix (`<prefix>:<name>:`); ARGV[2]: the newest finish
 * time to remove by age, or -1; ARGV[3]: how many to keep, or -1; ARGV[4]: the most
 * jobs to remove (the oldest first, by age and then by count). Returns how many jobs
 * it removed, then the Bull ids of those the index has an entry for (by the Bull id,
 * or by the caller's id an encoded Bull id stands for, see `fromBullJobId`): only
 * those can hold an id, and the client need not look up the generated ids the index
 * never held.
 */
const TRIM_FINISHED_SCRIPT = `
local count = 0
local indexed = {}
local limit = tonumber(ARGV[4])
local function callerId(id)
  if string.sub(id, 1, 1) ~= '~' then return id end
  return (string.gsub(string.gsub(string.sub(id, 2), '%%3A', ':'), '%%25', '%%'))
end
-- The lowest-scored ids go, so removing them by rank removes exactly these.
local function drop(ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ':logs')
    -- The caller's id is looked up only when it differs (an encoded id): a generated id,
    -- most of what a trim removes, costs one lookup, not the same one twice.
    local caller = callerId(id)
    if redis.call('HEXISTS', KEYS[2], id) == 1 or (caller ~= id and redis.call('HEXISTS', KEYS[2], caller) == 1) then
      indexed[#indexed + 1] = id
    end
  end
  if #ids > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #ids - 1) end
  count = count + #ids
end
if ARGV[2] ~= '-1' then
  drop(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, limit))
end
if ARGV[3] ~= '-1' and count < limit then
  local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
  if excess > 0 then drop(redis.call('ZRANGE', KEYS[1], 0, math.min(excess, limit - count) - 1)) end
end
table.insert(indexed, 1, count)
return indexed`;

interface TrimScript {
  switchyardTrimFinished(
    finishedSet: string,
    indexJobs: string,
    queuePrefix: string,
    newestByAge: string,
    keep: string,
    limit: number,
  ): Promise<[number, ...string[]]>;
}

export class FinishedJobTrimmer extends RetentionTrims {
  constructor(
    private readonly redis: () => Redis,
    private readonly keys: BullKeys,
    private readonly index: BullJobIndex,
    reportError: (error: unknown) => void,
  ) {
    super((name, state, policy, now) => this.trimFinished(name, state, policy, now), reportError);
  }

  private async trimFinished(
    name: string,
    state: FinishedState,
    policy: RetentionPolicy,
    now: number,
  ): Promise<number> {
    const newestByAge = policy.ageMs === null ? '-1' : String(now - policy.ageMs);
    const keep = policy.count === null ? '-1' : String(policy.count);
    let removed = 0;
    for (;;) {
      const [count, ...indexed] = await this.script().switchyardTrimFinished(
        this.keys.queue(name, state),
        this.keys.indexJobs,
        this.keys.queue(name, ''),
        newestByAge,
        keep,
        TRIM_CHUNK,
      );
      await this.index.releaseBullJobIds(name, indexed);
      removed += count;
      if (count < TRIM_CHUNK) return removed;
    }
  }

  private script(): Redis & TrimScript {
    const client = this.redis() as Redis & Partial<TrimScript>;
    if (client.switchyardTrimFinished === undefined) {
      client.defineCommand('switchyardTrimFinished', { numberOfKeys: 2, lua: TRIM_FINISHED_SCRIPT });
    }
    return client as Redis & TrimScript;
  }
}
