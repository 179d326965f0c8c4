/**
 * Applies count and age retention policies (see `bull-retention.ts`) to a Bull queue's
 * `completed` or `failed` set, as Bull's own KeepJobs would: jobs finished `ageMs`
 * or longer ago go, then all but the newest `count`; each job's hash and logs are
 * deleted, and the ids the provider's index held for them are freed.
 *
 * Batched: a job that finishes asks for a trim of its name and state, and the trims
 * asked for within `TRIM_DELAY_MS` run as one script call with the policy of the last
 * job that finished, so a worker finishing thousands of jobs a second makes a few
 * dozen calls, not one per job. Removal therefore happens within about `TRIM_DELAY_MS`
 * of the finish that calls for it. `flush()` runs what is pending (on close).
 */
import type { Redis } from 'ioredis';
import type { RetentionPolicy } from '@switchyard/core';
import type { BullJobIndex } from './bull-job-index.js';
import type { BullKeys } from './bull-keys.js';
import type { FinishedState } from './bull-retention.js';

/** How long a trim waits for more finishes to share its script call. */
export const TRIM_DELAY_MS = 50;

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

export class FinishedJobTrimmer {
  /** Per `<state>:<name>`: the policy to apply when its timer fires. */
  private readonly pending = new Map<string, { name: string; state: FinishedState; policy: RetentionPolicy }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: () => Redis,
    private readonly keys: BullKeys,
    private readonly index: BullJobIndex,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** A job of `name` finished in `state` with a count or age policy. */
  request(name: string, state: FinishedState, policy: RetentionPolicy): void {
    this.pending.set(`${state}:${name}`, { name, state, policy });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.trimPending()).catch(this.reportError);
    }, TRIM_DELAY_MS);
  }

  /** Runs the pending trims now, and waits for any under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.running.then(() => this.trimPending()).catch(this.reportError);
    await this.running;
  }

  private async trimPending(): Promise<void> {
    const trims = [...this.pending.values()];
    this.pending.clear();
    const now = Date.now();
    await Promise.all(
      trims.map(async ({ name, state, policy }) => {
        const removed = await this.script().switchyardTrimFinished(
          this.keys.queue(name, state),
          this.keys.queue(name, ''),
          policy.ageMs === null ? '-1' : String(now - policy.ageMs),
          policy.count === null ? '-1' : String(policy.count),
        );
        await this.index.releaseBullJobIds(name, removed);
      }),
    );
  }

  private script(): Redis & TrimScript {
    const client = this.redis() as Redis & Partial<TrimScript>;
    if (client.switchyardTrimFinished === undefined) {
      client.defineCommand('switchyardTrimFinished', { numberOfKeys: 1, lua: TRIM_FINISHED_SCRIPT });
    }
    return client as Redis & TrimScript;
  }
}
