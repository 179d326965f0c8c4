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
 * KEYS[1]: the finished set (score = finishedOn ms). ARGV[1]: the queue's key prefix
 * (`<prefix>:<name>:`); ARGV[2]: the newest finish time to remove by age, or -1;
 * ARGV[3]: how many to keep, or -1. Returns the Bull ids it removed.
 */
const TRIM_FINISHED_SCRIPT = `
local removed = {}
local function drop(ids)
  for _, id in ipairs(ids) do
    redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ':logs')
    removed[#removed + 1] = id
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
return removed`;

interface TrimScript {
  switchyardTrimFinished(
    finishedSet: string,
    queuePrefix: string,
    newestByAge: string,
    keep: string,
  ): Promise<string[]>;
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
    const removed = await this.script().switchyardTrimFinished(
      this.keys.queue(name, state),
      this.keys.queue(name, ''),
      policy.ageMs === null ? '-1' : String(now - policy.ageMs),
      policy.count === null ? '-1' : String(policy.count),
    );
    await this.index.releaseBullJobIds(name, removed);
    return removed.length;
  }

  private script(): Redis & TrimScript {
    const client = this.redis() as Redis & Partial<TrimScript>;
    if (client.switchyardTrimFinished === undefined) {
      client.defineCommand('switchyardTrimFinished', { numberOfKeys: 1, lua: TRIM_FINISHED_SCRIPT });
    }
    return client as Redis & TrimScript;
  }
}
