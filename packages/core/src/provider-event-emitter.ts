import { EventEmitter } from 'node:events';
import { toError } from './errors.js';
import type { Logger } from './logger.js';
import type { QueueProviderEvent, QueueProviderEvents } from './queue-provider.js';

/**
 * The EventEmitter a provider extends: `on` / `off` typed by `QueueProviderEvents`,
 * and `emitSafely`, because a provider emits from inside its own bookkeeping (Bull's
 * event loop, Agenda's job save, the memory provider's state machine), where a
 * throwing listener must be logged, not allowed to break it.
 */
export abstract class ProviderEventEmitter extends EventEmitter {
  abstract readonly name: string;
  protected abstract readonly logger: Logger;

  override on<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends QueueProviderEvent>(event: E, listener: QueueProviderEvents[E]): this {
    return super.off(event, listener);
  }

  protected emitSafely<E extends QueueProviderEvent>(event: E, ...args: Parameters<QueueProviderEvents[E]>): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.logger.error('event listener threw', { provider: this.name, event, error: toError(error).message });
    }
  }
}
