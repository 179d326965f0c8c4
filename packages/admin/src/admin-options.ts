import type { Logger, QueueProvider } from '@switchyard/core';

/** How many `/api` requests one client address may make per window. */
export interface RateLimitSettings {
  /** Requests per window and client address; default 600. */
  max?: number;
  /** Window length; default 60 000 (one minute). */
  timeWindowMs?: number;
}

/** How the admin server finds the job names to show (the provider has no "list names" call). */
export interface NameDiscoverySettings {
  /** Rescan the provider's jobs at most this often; default 30 000. 0 = scan on every `/api/queues`. */
  refreshIntervalMs?: number;
  /** At most this many jobs are read per state in one scan; default 5 000. */
  maxJobsPerState?: number;
  /**
   * At most this many names are remembered; default 10 000. It bounds what requests can
   * make the server hold: once it is reached, a request that would bring in a new name
   * (scheduling a job under it, pausing or resuming it) is refused with 409, and names
   * met in listings are no longer added.
   */
  maxNames?: number;
}

/** Options of `adminPlugin` and `createAdminServer`. */
export interface AdminOptions {
  /** The provider to administer. The admin server never connects or closes it: its owner does. */
  provider: QueueProvider;
  /**
   * The bearer token every `/api` request must present (`Authorization: Bearer <token>`);
   * at least 16 characters. Without one, `insecureLocal` must be set.
   */
  token?: string;
  /**
   * Run without a token. Only for a developer's machine: the server then refuses to
   * listen on anything but a loopback address, and `/api` answers only loopback peers.
   */
  insecureLocal?: boolean;
  /** Where the server logs (start-up, unexpected errors); silent by default. */
  logger?: Logger;
  /** Rate limit of `/api`; `false` turns it off. Default 600 requests a minute per client address. */
  rateLimit?: RateLimitSettings | false;
  /** Job names to show even before any job of theirs is seen (e.g. your processors' names). */
  jobNames?: string[];
  nameDiscovery?: NameDiscoverySettings;
  /** `/health` answers 503 when the provider's health check takes longer than this; default 5 000. */
  healthTimeoutMs?: number;
}

export const DEFAULT_RATE_LIMIT = { max: 600, timeWindowMs: 60_000 } as const;
export const MIN_TOKEN_LENGTH = 16;
export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;
