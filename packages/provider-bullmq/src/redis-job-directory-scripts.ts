/**
 * The Redis job directory's Lua scripts (see `RedisJobDirectory`), each one atomic call:
 * KEYS[1] is the `switchyard-ids` hash, KEYS[2] the `switchyard-names` set, ARGV[1] the
 * BullMQ key prefix with its trailing `:`.
 *
 * A one-off job scheduled without an id gets a random UUID that is not claimed (a
 * claim would be a round trip per job): its job hash, `<prefix>:<name>:<id>`, under one
 * of the names in the set, is what holds it. So for a UUID-shaped id, both scripts look
 * for such a hash too.
 */
import type { Redis } from 'ioredis';

/** Lua: the first name of the set whose queue holds a job hash `id`, or false. */
const HOLDER_OF_UNCLAIMED = `
local function holderOfUnclaimed(bullmqId)
  for _, name in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', ARGV[1] .. name .. ':' .. bullmqId) == 1 then return name end
  end
  return false
end`;

/**
 * Claims ids: after the prefix, four values per id (id, name, its BullMQ id, '1' when it
 * has a generated id's shape, else '0'). Per id, 1 when it was free and is now claimed.
 */
const CLAIM_SCRIPT = `${HOLDER_OF_UNCLAIMED}
local claimed = {}
for i = 2, #ARGV, 4 do
  local id, name, bullmqId, uuidShaped = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local free = redis.call('HEXISTS', KEYS[1], id) == 0
  if free and uuidShaped == '1' and holderOfUnclaimed(bullmqId) then free = false end
  if free then
    redis.call('HSET', KEYS[1], id, name)
    redis.call('SADD', KEYS[2], name)
  end
  claimed[#claimed + 1] = free and 1 or 0
end
return claimed`;

/** The name holding ARGV[2] (its BullMQ id ARGV[3]; ARGV[4] as for a claim), or false. */
const NAME_OF_SCRIPT = `${HOLDER_OF_UNCLAIMED}
local name = redis.call('HGET', KEYS[1], ARGV[2])
if name then return name end
if ARGV[4] == '1' then return holderOfUnclaimed(ARGV[3]) end
return false`;

export interface DirectoryScripts {
  switchyardClaimIds(idsKey: string, namesKey: string, keyPrefix: string, ...idArguments: string[]): Promise<number[]>;
  switchyardNameOf(
    idsKey: string,
    namesKey: string,
    keyPrefix: string,
    id: string,
    bullmqId: string,
    uuidShaped: '0' | '1',
  ): Promise<string | null>;
}

/** The client with the scripts defined on it (once per client; ioredis sends them by their SHA). */
export function withDirectoryScripts(redis: Redis): Redis & DirectoryScripts {
  const client = redis as Redis & Partial<DirectoryScripts>;
  if (client.switchyardClaimIds === undefined) {
    redis.defineCommand('switchyardClaimIds', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    redis.defineCommand('switchyardNameOf', { numberOfKeys: 2, lua: NAME_OF_SCRIPT });
  }
  return client as Redis & DirectoryScripts;
}
