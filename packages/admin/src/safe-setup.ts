import type { AdminOptions } from './admin-options.js';
import { MIN_TOKEN_LENGTH } from './admin-options.js';
import { AdminSetupError } from './admin-setup-error.js';

/**
 * Refuses a set-up that would leave the job API open: a token is required, and must
 * be long enough not to be guessed within the rate limit; only an explicit
 * `insecureLocal` may go without (and is then held to loopback elsewhere).
 */
export function assertSafeSetup(options: Pick<AdminOptions, 'token' | 'insecureLocal' | 'provider'>): void {
  if (typeof options.provider !== 'object' || options.provider === null) {
    throw new AdminSetupError('the admin server needs a QueueProvider (options.provider)');
  }
  if (options.token === undefined) {
    if (options.insecureLocal === true) return;
    throw new AdminSetupError(
      'no admin token: set ADMIN_TOKEN (options.token), or run with --insecure-local (options.insecureLocal) on a loopback address',
    );
  }
  if (typeof options.token !== 'string' || options.token.trim().length < MIN_TOKEN_LENGTH || /\s/.test(options.token)) {
    throw new AdminSetupError(
      `the admin token must be at least ${MIN_TOKEN_LENGTH} characters with no spaces (try: openssl rand -hex 32)`,
    );
  }
}
