import { redactSecrets } from '../connection-url.js';
import type { Logger } from '../logger.js';

/** Identical messages within this window are reported once: an outage makes every connection report it. */
export const ERROR_REPEAT_WINDOW_MS = 1000;
/** How many distinct recent messages are remembered for that; more are forgotten all at once. */
const REMEMBERED_MESSAGES = 100;

/** What an `ErrorReporter` needs of its provider. */
export interface ErrorReportTarget {
  readonly name: string;
  listenerCount(event: 'error'): number;
  emit(event: 'error', error: Error): boolean;
}

/**
 * Reports errors that belong to no call (a connection lost, a backend's background
 * failure): as an `error` event when someone listens, since an unheard `error` event
 * would crash the process, else as a log line. Passwords in the given URLs are taken
 * out of the message; the same message within `ERROR_REPEAT_WINDOW_MS` is reported
 * once; while the provider closes, errors are only logged at debug level (connections
 * ending is what closing means).
 */
export class ErrorReporter {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly target: ErrorReportTarget,
    private readonly logger: Logger,
    private readonly secretUrls: readonly (string | undefined)[],
    private readonly isClosing: () => boolean,
  ) {}

  /** `text` with the password of every secret URL replaced by `***`. */
  redact(text: string): string {
    return this.secretUrls.reduce<string>((result, url) => redactSecrets(result, url), text);
  }

  report(error: Error): void {
    const message = this.redact(error?.message ?? String(error));
    if (this.isClosing()) {
      this.logger.debug('error while closing', { provider: this.target.name, error: message });
      return;
    }
    const now = Date.now();
    if (now - (this.recent.get(message) ?? Number.NEGATIVE_INFINITY) < ERROR_REPEAT_WINDOW_MS) return;
    if (this.recent.size >= REMEMBERED_MESSAGES) this.recent.clear();
    this.recent.set(message, now);
    if (this.target.listenerCount('error') > 0) {
      this.target.emit(
        'error',
        message === error.message ? error : Object.assign(new Error(message), { name: error.name }),
      );
    } else {
      this.logger.error(`${this.target.name} provider error`, { provider: this.target.name, error: message });
    }
  }
}
