export { createAdminServer } from './create-admin-server.js';
export { adminPlugin } from './admin-plugin.js';
export { AdminSetupError } from './admin-setup-error.js';
export { isLoopback } from './loopback.js';
export { createAdminMetrics, type AdminMetrics } from './metrics.js';
export { KnownJobNames } from './known-job-names.js';
export type { ErrorBody } from './http-errors.js';
export {
  DEFAULT_RATE_LIMIT,
  MIN_TOKEN_LENGTH,
  type AdminOptions,
  type NameDiscoverySettings,
  type RateLimitSettings,
} from './admin-options.js';
