import type { Queue } from 'bullmq';
import type { BullMQBackend } from './bullmq-backend.js';

/** A BullMQ `Queue` per job name, made on first use, all on the provider's backend. */
export class BullMQQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly backend: () => BullMQBackend) {}

  queueFor(name: string): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      // No meta write: reading a name nobody used must leave nothing behind.
      queue = this.backend().newQueue(name, { skipMetasUpdate: true });
      // Its errors reach the caller of the call that failed; with no listener, an 'error' event would throw.
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  async closeAll(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
  }
}
