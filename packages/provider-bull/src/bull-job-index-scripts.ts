/**
 * The job index's Lua scripts (see `BullJobIndex`), each one atomic call: KEYS[1] is the
 * index's `jobs` hash, KEYS[2] its `names` set, ARGV[1] the Bull key prefix.
 */
import type { Redis } from 'ioredis';

/**
 * Lua helpers: `heldByPlainJob(names, id, queue, bullId)` is `queue` when `<queue>:<bull
 * id>` names a plain Bull job (a job hash the index does not claim for that queue), else
 * the list of the `names` whose queue holds a job hash of the bare `id`.
 */
const HELD_BY_PLAIN_JOB = `
local function isJobHash(key)
  return redis.call('TYPE', key).ok == 'hash'
end
local function claimedIn(queue, bullId)
  local json = redis.call('HGET', KEYS[1], bullId)
  if not json then return false end
  local entry = cjson.decode(json)
  return entry.name == queue and (entry.bullJobId == nil or entry.bullJobId == bullId)
end
local function heldByPlainJob(names, id, queue, bullId)
  if queue ~= '' and redis.call('SISMEMBER', KEYS[2], queue) == 1 and not claimedIn(queue, bullId)
    and isJobHash(ARGV[1] .. queue .. ':' .. bullId) then
    return queue
  end
  local holders = {}
  for _, name in ipairs(names) do
    if isJobHash(ARGV[1] .. name .. ':' .. id) then holders[#holders + 1] = name end
  end
  return holders
end`;

/**
 * Claims ids: ARGV[1] is the Bull key prefix, then six values per id (id, entry JSON,
 * name, then '1' when the id may be an unclaimed generated one, '2' when it may be a
 * plain Bull job's, '0' otherwise, then the queue and Bull id it names in the
 * `<queue>:<bull id>` form, or two ''). Per id, 1 when it was free: no entry for it,
 * for a UUID-shaped id no Bull job hash of any known name, and for one a plain job
 * may hold, no such job (see `plain-bull-job-id.ts`).
 */
const CLAIM_JOB_IDS_SCRIPT = `${HELD_BY_PLAIN_JOB}
local claimed = {}
local names = false
for i = 2, #ARGV, 6 do
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
  elseif ARGV[i + 3] == '2' and redis.call('HEXISTS', KEYS[1], id) == 0 then
    names = names or redis.call('SMEMBERS', KEYS[2])
    local held = heldByPlainJob(names, id, ARGV[i + 4], ARGV[i + 5])
    free = type(held) == 'table' and #held == 0
  end
  if free then free = redis.call('HSETNX', KEYS[1], id, ARGV[i + 1]) == 1 end
  redis.call('SADD', KEYS[2], ARGV[i + 2])
  claimed[#claimed + 1] = free and 1 or 0
end
return claimed`;

/**
 * Resolves an id a plain job may hold: ARGV[1] the Bull key prefix, ARGV[2] the id,
 * ARGV[3] and ARGV[4] the queue and Bull id of its `<queue>:<bull id>` reading (or '').
 * {'entry', json} when claimed, {'qualified'} when that reading names a plain job, else
 * {'holders', <the known queues holding a plain job of the bare id>...}.
 */
const RESOLVE_JOB_ID_SCRIPT = `${HELD_BY_PLAIN_JOB}
local entry = redis.call('HGET', KEYS[1], ARGV[2])
if entry then return {'entry', entry} end
local held = heldByPlainJob(redis.call('SMEMBERS', KEYS[2]), ARGV[2], ARGV[3], ARGV[4])
if type(held) ~= 'table' then return {'qualified'} end
return {'holders', unpack(held)}`;

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

export interface IndexScripts {
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
  switchyardResolveJobId(
    jobsKey: string,
    namesKey: string,
    bullKeyPrefix: string,
    id: string,
    queue: string,
    bullJobId: string,
  ): Promise<[string, ...string[]]>;
}

/** The client with the index's scripts defined on it (once per client; ioredis sends them by their SHA). */
export function withIndexScripts(redis: Redis): Redis & IndexScripts {
  const client = redis as Redis & Partial<IndexScripts>;
  if (client.switchyardClaimJobIds === undefined) {
    redis.defineCommand('switchyardClaimJobIds', { numberOfKeys: 2, lua: CLAIM_JOB_IDS_SCRIPT });
    redis.defineCommand('switchyardLookupJobId', { numberOfKeys: 2, lua: LOOKUP_JOB_ID_SCRIPT });
    redis.defineCommand('switchyardResolveJobId', { numberOfKeys: 2, lua: RESOLVE_JOB_ID_SCRIPT });
  }
  return client as Redis & IndexScripts;
}
