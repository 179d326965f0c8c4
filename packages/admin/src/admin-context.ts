import type { Logger, QueueProvider } from '@switchyard/core';
import type { KnownJobNames } from './known-job-names.js';
import type { AdminMetrics } from './metrics.js';

/** What the route groups share. */
export interface AdminContext {
  provider: QueueProvider;
  names: KnownJobNames;
  metrics: AdminMetrics;
  logger: Logger;
  healthTimeoutMs: number;
}
