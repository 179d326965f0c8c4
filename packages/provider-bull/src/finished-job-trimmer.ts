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
 * KEYS[1]: the finished set (score = finishedOn ms); KEYS[2]: the index's hash of ids.
 * ARGV[1]: the queue's key prefix (`<prefix>:<name>:`); ARGV[2]: the newest finish
 * time to remove by age, or -1; ARGV[3]: how many to keep, or -1. Returns how many
 * jobs it removed, then the Bull ids of those the index has an entry for (by the Bull
 * id, or by the caller's id an encoded Bull id stands for, see `fromBullJobId`): only
 * those can hold an id, and a trim removes hundreds of jobs whose generated ids the
 * index never held, which the client would otherwise send back to look up.
 */
const TRIM_FINISHED_SCRIPT = `
local count = 0
local indexed = {}
local function callerId(id)
  if string.sub(id, 1, 1) ~= '~' then return id end
  return (string.gsub(string.gsub(string.sub(id, 2), '%%3A', ':'), '%%25', '%%'))
end
local function drop(ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ':logs')
    count = count + 1
    if redis.call('HEXISTS', KEYS[2], id) == 1 or redis.call('HEXISTS', KEYS[2], callerId(id)) == 1 then
      indexed[#indexed + 1] = id
    end
  end
end
if ARGV[2] ~= '-1' then
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
  if #ids > 0 then
    drop(ids)
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
  end
end
if ARGV[3] ~= '-1' then
  local last = -(tonumber(ARGV[3]) + 1)
  local ids = redis.call('ZRANGE', KEYS[1], 0, last)
  if #ids > 0 then
    drop(ids)
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, last)
  end
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
    const [count, ...indexed] = await this.script().switchyardTrimFinished(
      this.keys.queue(name, state),
      this.keys.indexJobs,
      this.keys.queue(name, ''),
      policy.ageMs === null ? '-1' : String(now - policy.ageMs),
      policy.count === null ? '-1' : String(policy.count),
    );
    await this.index.releaseBullJobIds(name, indexed);
    return count;
  }

  private script(): Redis & TrimScript {
    const client = this.redis() as Redis & Partial<TrimScript>;
    if (client.switchyardTrimFinished === undefined) {
      client.defineCommand('switchyardTrimFinished', { numberOfKeys: 2, lua: TRIM_FINISHED_SCRIPT });
    }
    return client as Redis & TrimScript;
  }
}
