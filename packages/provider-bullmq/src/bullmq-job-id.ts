/**
 * The BullMQ job id of a caller's job id.
 *
 * BullMQ refuses custom ids that are integers (or "NaN") or hold `:` ("Custom Id cannot
 * contain :"), and on Redis keeps a job's hash at `<prefix>:<queue>:<id>`, beside the queue's
 * own keys (`queue-keys.ts`: `:meta`, `:wait`, `:marker`, ...), so an id equal to one
 * of those names would address the queue's own key. Every such id is encoded: `~`,
 * then the id with `%` and `:` percent-escaped. Every other id is used unchanged, so
 * BullMQ's own tools show the ids people wrote. The mapping is injective: an
 * unchanged id never starts with `~`, never holds `:` and is no key name.
 *
 * The caller's id of an encoded one is also kept in the job's options
 * (`SwitchyardJobMeta.id`), so reads never need to decode. Job scheduler ids are
 * encoded the same way (an iteration's id is `repeat:<scheduler id>:<millis>`).
 */

/** Every key suffix BullMQ 6 uses under `<prefix>:<queue>:` (classes/queue-keys.js), and the per-job ones. */
const BULLMQ_KEY_NAMES: ReadonlySet<string> = new Set([
  'active',
  'wait',
  'waiting-children',
  'paused',
  'id',
  'delayed',
  'prioritized',
  'stalled-check',
  'completed',
  'failed',
  'stalled',
  'repeat',
  'limiter',
  'meta',
  'events',
  'pc',
  'marker',
  'de',
  'metrics',
  'logs',
  'lock',
  'dependencies',
  'processed',
  'failed-children',
  'unsuccessful',
]);

const ENCODED_MARK = '~';

function isUsableAsIs(id: string): boolean {
  if (id.startsWith(ENCODED_MARK) || id.includes(':') || BULLMQ_KEY_NAMES.has(id)) return false;
  // BullMQ refuses ids that parse as integers, and hands out numeric ids itself. Its test
  // is `${parseInt(id, 10)}` === id, which "NaN" passes too.
  return !/^-?\d+$/.test(id) && id !== 'NaN';
}

/** The BullMQ id that stores the job (or job scheduler) the caller knows as `id`. */
export function toBullMQJobId(id: string): string {
  if (isUsableAsIs(id)) return id;
  return ENCODED_MARK + id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** The caller's id of an id `toBullMQJobId` made. */
export function fromBullMQJobId(bullmqJobId: string): string {
  if (!bullmqJobId.startsWith(ENCODED_MARK)) return bullmqJobId;
  return bullmqJobId.slice(ENCODED_MARK.length).replaceAll('%3A', ':').replaceAll('%25', '%');
}
