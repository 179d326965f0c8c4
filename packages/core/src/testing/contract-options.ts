import type { CommonProviderOptions } from '../provider-options.js';
import type { QueueProvider } from '../queue-provider.js';

/** What a provider's test file hands to `runProviderContract`. */
export interface ProviderContractOptions {
  /**
   * Builds a fresh, empty, unconnected provider; the suite calls `connect()` and
   * `close()`. Each call must give isolated storage (e.g. a unique Redis prefix or
   * Mongo collection), because one test may use two providers side by side.
   */
  makeProvider(common: CommonProviderOptions): QueueProvider | Promise<QueueProvider>;
  /** How late a due job may start on this provider (its polling interval plus slack); default 1000. */
  schedulingToleranceMs?: number;
}

/**
 * The options every provider under contract is built with. `defaultAttempts` is 2,
 * not the library default 3, so the suite can tell that the provider applies its
 * options rather than a constant; 16 KiB keeps the over-size payload test small.
 */
export const CONTRACT_PROVIDER_OPTIONS = Object.freeze({
  maxPayloadBytes: 16 * 1024,
  defaultAttempts: 2,
}) satisfies CommonProviderOptions;

export const DEFAULT_SCHEDULING_TOLERANCE_MS = 1000;

/**
 * How much earlier than its due time a start may be observed. Date.now() has
 * millisecond resolution and timers round, so "never before runAt" is checked to
 * within this much.
 */
export const EARLY_START_SLACK_MS = 2;

/** The same allowance for the gap between two measured starts (two roundings). */
export const GAP_SLACK_MS = 5;
