/**
 * Where a provider is in its life. Every public method of `BaseQueueProvider` asks
 * this first (see its table of answers per status):
 *
 * ```
 *   new ──connect()──> connecting ──(backend answered)──> open ──close()──> closing ──> closed
 *    ^                     │
 *    └──(connect failed)───┘          close() from new or connecting goes to closing too
 * ```
 */
export type ProviderStatus = 'new' | 'connecting' | 'open' | 'closing' | 'closed';
