/**
 * The admin server was set up in a way that would expose the job API without
 * authentication (no token and not `insecureLocal`, or `insecureLocal` on a public
 * address), or with a token too weak to guard it. Thrown at start-up, never per request.
 */
export class AdminSetupError extends Error {
  readonly code = 'ADMIN_SETUP';

  constructor(message: string) {
    super(message);
    this.name = 'AdminSetupError';
  }
}
