import Bull from 'bull';
import type { Redis } from 'ioredis';
import { withDeadline } from '@switchyard/core/provider-kit';
import type { BullConnection } from './bull-connection.js';
import type { BullJobIndex } from './bull-job-index.js';
import type { BullKeys } from './bull-keys.js';
import { discoverQueueNames, existingQueueNames } from './bull-queue-discovery.js';

/** How long closing one Bull queue may take before the connections are ended anyway. */
const QUEUE_CLOSE_TIMEOUT_MS = 2000;

/** One job name's Bull queue. */
export interface QueueSlot {
  queue: Bull.Queue;
  /** Resolves once the queue is usable (paused first when `pause()` paused every name). */
  ready: Promise<Bull.Queue>;
  /** The queue once `ready` has resolved, so that adding a job need not wait a turn for it. */
  usable?: Bull.Queue;
  /** The queue's blocking connection, once Bull asked for it (only workers do). */
  blockingClient?: Redis;
  /** True once a worker processes this name here. */
  processing: boolean;
}

/** What the registry needs to make a queue. */
export interface QueueRegistrySettings {
  prefix: string;
  keys: BullKeys;
  connection: () => BullConnection;
  index: BullJobIndex;
  /** Bull's `settings` for every queue (locks, stalled checks, backoff strategies). */
  bullSettings: Bull.AdvancedSettings;
  /** Called once per queue made, to listen to its events. */
  onQueueMade(name: string, queue: Bull.Queue): void;
}

/**
 * The Bull queues of one provider: one per job name, made on first use, all sharing
 * the provider's connections. A name is recorded in Redis when its queue is made, so
 * every process knows every name; reads of a name nobody used never make one. Queues
 * plain Bull code made under the prefix are known too (see `bull-queue-discovery.ts`).
 */
export class BullQueueRegistry {
  private readonly slots = new Map<string, QueueSlot>();

  constructor(private readonly settings: QueueRegistrySettings) {}

  /** The queue of `name` once it is ready, if it is: adding a job then need not wait a turn. */
  usableQueue(name: string): Bull.Queue | undefined {
    return this.slots.get(name)?.usable;
  }

  slotOf(name: string): QueueSlot | undefined {
    return this.slots.get(name);
  }

  allSlots(): QueueSlot[] {
    return [...this.slots.values()];
  }

  /** The Bull queue of `name`, made on first use (paused at once if `pause()` paused every name). */
  queueFor(name: string): Promise<Bull.Queue> {
    const existing = this.slots.get(name);
    if (existing !== undefined) return existing.ready;
    const connection = this.settings.connection();
    const slot = { processing: false } as QueueSlot;
    slot.queue = new Bull(name, {
      prefix: this.settings.prefix,
      createClient: (type) => {
        const client = connection.createClient(type);
        if (type === 'bclient') slot.blockingClient = client;
        return client;
      },
      settings: this.settings.bullSettings,
    });
    // Bull looks a job's handler up in a plain object (`handlers[job.name] || handlers['*']`),
    // so a plain job named `toString` or `constructor` would get Object.prototype's method
    // as its handler and complete without running: an object without a prototype instead.
    (slot.queue as unknown as { handlers: Record<string, unknown> }).handlers = Object.create(null) as Record<
      string,
      unknown
    >;
    this.settings.onQueueMade(name, slot.queue);
    slot.ready = (async () => {
      await this.settings.index.addName(name);
      if (await this.settings.index.isPausedEverywhere()) await slot.queue.pause();
      slot.usable = slot.queue;
      return slot.queue;
    })();
    this.slots.set(name, slot);
    // A queue that could not be set up (Redis down) is made again on next use.
    slot.ready.catch(() => {
      if (this.slots.get(name) === slot) this.slots.delete(name);
      void slot.queue.close(true).catch(() => undefined);
    });
    return slot.ready;
  }

  /** Every name ever used, by any process, and every queue plain Bull code made under the prefix. */
  async knownNames(): Promise<string[]> {
    const { index, keys } = this.settings;
    const recorded = await index.names();
    const discovered = await discoverQueueNames(this.settings.connection().sharedClient(), keys);
    const fresh = discovered.filter((name) => !recorded.includes(name));
    if (fresh.length > 0) await index.addNames(fresh);
    return [...new Set([...recorded, ...fresh, ...this.slots.keys()])];
  }

  /**
   * The names of a read (list, stats, export) that have ever been used, here or by plain
   * Bull code. A read of a name nobody used answers empty: it must not record the name
   * in Redis nor open a Bull queue for it, or every GET of a made-up name would grow
   * both for good.
   */
  async usedNames(names: readonly string[]): Promise<string[]> {
    const unseen = names.filter((name) => !this.slots.has(name));
    if (unseen.length === 0) return [...names];
    const { index, keys } = this.settings;
    const used = new Set(await index.knownAmong(unseen));
    const plain = await existingQueueNames(
      this.settings.connection().sharedClient(),
      keys,
      unseen.filter((name) => !used.has(name)),
    );
    if (plain.length > 0) await index.addNames(plain);
    for (const name of plain) used.add(name);
    return names.filter((name) => this.slots.has(name) || used.has(name));
  }

  /**
   * Stops the workers of every queue from fetching: Bull's local pause, without waiting
   * for active jobs. Ending the blocking connection first spares Bull a QUIT stuck
   * behind a blocking BRPOPLPUSH.
   */
  async stopFetching(): Promise<void> {
    await Promise.all(
      this.allSlots()
        .filter((slot) => slot.processing)
        .map((slot) => {
          slot.blockingClient?.disconnect();
          return withDeadline(slot.queue.pause(true, true), QUEUE_CLOSE_TIMEOUT_MS, 'pausing a queue').catch(
            () => undefined,
          );
        }),
    );
  }

  /** Closes every queue (its timers), each within a bounded time. */
  async closeAll(): Promise<void> {
    await Promise.all(
      this.allSlots().map((slot) =>
        withDeadline(slot.queue.close(true), QUEUE_CLOSE_TIMEOUT_MS, 'closing a queue').catch(() => undefined),
      ),
    );
  }
}
