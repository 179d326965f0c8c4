/**
 * Server-side cursors: the rest of a result that did not fit in the first batch,
 * handed out by `getMore` and discarded by `killCursors` (or when exhausted).
 *
 * Results are materialised when the cursor opens, so a cursor is a snapshot and
 * later writes do not shift it. Like mongod, idle cursors time out (10 minutes);
 * they are swept lazily on each access so the registry owns no timers.
 */
import { Long, calculateObjectSize, type Document } from 'bson';
import { MongoCommandError } from './mongo-error.js';

/** mongod's default first batch for find / aggregate / list* commands. */
export const DEFAULT_FIRST_BATCH_SIZE = 101;
/** A batch stops growing at 16 MiB, leaving room within maxMessageSizeBytes. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  readonly namespace: string;
  readonly results: Document[];
  /** Index of the next document to hand out. */
  position: number;
  lastUsed: number;
}

export interface CursorReply {
  readonly id: Long;
  readonly ns: string;
  readonly firstBatch?: Document[];
  readonly nextBatch?: Document[];
}

/**
 * The documents from `start` on that make one batch: at most `batchSize` of them
 * (0 = no count limit), never past the byte limit except for a single huge document.
 */
function takeBatch(results: readonly Document[], start: number, batchSize: number): Document[] {
  const batch: Document[] = [];
  let bytes = 0;
  for (let index = start; index < results.length; index += 1) {
    if (batchSize !== 0 && batch.length >= batchSize) break;
    const document = results[index] as Document;
    const size = calculateObjectSize(document);
    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    batch.push(document);
    bytes += size;
  }
  return batch;
}

function parseBatchSize(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 0) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- MongoDB's message shows the value, whatever it is
    throw new MongoCommandError('BadValue', `BatchSize value must be non-negative, but received: ${String(value)}`);
  }
  return size;
}

export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  /** Random start so ids from different server runs rarely collide in logs. */
  private nextId = 1 + Math.floor(Math.random() * 1_000_000_000);

  /**
   * Opens a cursor over `results` and returns the first batch. When everything
   * fits, the cursor id is 0 and nothing is kept (mongod closes it at once).
   */
  open(namespace: string, results: Document[], requestedBatchSize?: unknown): CursorReply {
    this.sweepIdle();
    const batchSize = parseBatchSize(requestedBatchSize, DEFAULT_FIRST_BATCH_SIZE);
    // On the opening command batchSize 0 asks for a cursor and an empty first batch.
    const firstBatch = batchSize === 0 ? [] : takeBatch(results, 0, batchSize);
    if (firstBatch.length === results.length) return { id: Long.ZERO, ns: namespace, firstBatch };
    const id = this.nextId++;
    this.cursors.set(id, { namespace, results, position: firstBatch.length, lastUsed: Date.now() });
    return { id: Long.fromNumber(id), ns: namespace, firstBatch };
  }

  getMore(id: number, namespace: string, requestedBatchSize?: unknown): CursorReply {
    this.sweepIdle();
    const cursor = this.cursors.get(id);
    if (cursor === undefined) throw new MongoCommandError('CursorNotFound', `cursor id ${id} not found`);
    if (cursor.namespace !== namespace) {
      throw new MongoCommandError(
        'Unauthorized',
        `Requested getMore on namespace '${namespace}', but cursor belongs to a different namespace ${cursor.namespace}`,
      );
    }
    const nextBatch = takeBatch(cursor.results, cursor.position, parseBatchSize(requestedBatchSize, 0));
    cursor.position += nextBatch.length;
    cursor.lastUsed = Date.now();
    if (cursor.position >= cursor.results.length) {
      this.cursors.delete(id);
      return { id: Long.ZERO, ns: namespace, nextBatch };
    }
    return { id: Long.fromNumber(id), ns: namespace, nextBatch };
  }

  /** Kills the given cursors; returns which ids were killed and which were unknown. */
  kill(namespace: string, ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) {
      const cursor = this.cursors.get(id);
      if (cursor !== undefined && cursor.namespace === namespace) {
        this.cursors.delete(id);
        killed.push(id);
      } else {
        notFound.push(id);
      }
    }
    return { killed, notFound };
  }

  /** Forgets cursors over a dropped collection or database (mongod kills them too). */
  killWhere(matches: (namespace: string) => boolean): void {
    for (const [id, cursor] of this.cursors) {
      if (matches(cursor.namespace)) this.cursors.delete(id);
    }
  }

  get openCount(): number {
    return this.cursors.size;
  }

  private sweepIdle(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, cursor] of this.cursors) {
      if (cursor.lastUsed < cutoff) this.cursors.delete(id);
    }
  }
}
