/**
 * The Bull job id of a caller's job id.
 *
 * Bull keeps a job's hash at `<prefix>:<queue>:<job id>`, in the same key space as the
 * queue's own keys (`<prefix>:<queue>:wait`, `:active`, `:id`, `:meta-paused`, ...) and
 * the per-job keys it derives (`<job id>:lock`, `<job id>:logs`). A caller's id used
 * verbatim could therefore address one of those keys (`'active'` stops the queue,
 * `'meta-paused'` pauses it for every worker, `'x:lock'` is job `x`'s lock), and a
 * numeric id is one Bull's own counter hands out to jobs added without an id, so a
 * plain Bull producer on the same queue would find its job "already there".
 *
 * So every id that could do any of that is encoded: `~` followed by the id with `%`
 * and `:` percent-escaped. Every other id is used unchanged, which keeps the ids
 * people read in Bull's own tools (Arena, bull-board) as they wrote them. The mapping
 * is injective: an unchanged id never starts with `~`, never holds `:`, and is not
 * one of Bull's names; an encoded one starts with `~`, holds no `:`, and its escape is
 * reversible. Job names hold no `:` either (the validator refuses it), so
 * `<name>:<bull id>` is a key of its own for every accepted name and id.
 *
 * Ids stored by an earlier version of the provider were used verbatim; the job index
 * records the Bull id of every id it claims from this version on (its entry's bullJobId,
 * set only when it differs), so an entry without it means the id itself.
 */

/**
 * Every key suffix Bull 4 uses under `<prefix>:<queue>:` (lib/queue.js `keys`, and the
 * names its scripts and getters build), plus BullMQ's: a caller's id equal to any of
 * them is encoded.
 */
const BULL_KEY_NAMES: ReadonlySet<string> = new Set([
  'active',
  'wait',
  'waiting',
  'paused',
  'resumed',
  'meta-paused',
  'meta',
  'id',
  'delayed',
  'priority',
  'stalled-check',
  'stalled',
  'completed',
  'failed',
  'repeat',
  'limiter',
  'drained',
  'duplicated',
  'debounced',
  'progress',
  'de',
  'metrics',
  'events',
  'logs',
  'lock',
  // BullMQ's, should a queue ever be shared with it.
  'marker',
  'prioritized',
  'pc',
]);

const ENCODED_MARK = '~';

/** True when `id` may be used as the Bull job id as it is. */
function isUsableAsIs(id: string): boolean {
  if (id.startsWith(ENCODED_MARK) || id.includes(':') || BULL_KEY_NAMES.has(id)) return false;
  // All digits: an id of Bull's own counter.
  for (let index = 0; index < id.length; index += 1) {
    const code = id.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return true;
  }
  return false;
}

/** The Bull job id that stores the job the caller knows as `id` (see above). */
export function toBullJobId(id: string): string {
  if (isUsableAsIs(id)) return id;
  return ENCODED_MARK + id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/**
 * The caller's id of a Bull job id this version wrote. An id an earlier version stored
 * verbatim that happens to start with `~` reads back differently here, so reads that
 * have the job at hand take its id from `callerIdOfBullJob`, and the job index
 * checks a decoded id against its entry before it acts on it.
 */
export function fromBullJobId(bullJobId: string): string {
  if (!bullJobId.startsWith(ENCODED_MARK)) return bullJobId;
  return bullJobId.slice(ENCODED_MARK.length).replaceAll('%3A', ':').replaceAll('%25', '%');
}

/**
 * The job option that keeps the caller's id of a job whose Bull id is encoded, so that
 * every read shows the id exactly as the caller gave it (Bull copies a job's options
 * to each occurrence of a repeating job, so occurrences carry it too).
 */
export const CALLER_ID_OPTION = 'switchyardId';

/** The caller's id of a Bull job: its `CALLER_ID_OPTION`, else the Bull id itself. */
export function callerIdOfBullJob(job: { id: unknown; opts: object }): string {
  const callerId = (job.opts as Record<string, unknown>)[CALLER_ID_OPTION];
  return typeof callerId === 'string' ? callerId : String(job.id);
}
