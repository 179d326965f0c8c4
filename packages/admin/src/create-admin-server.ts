import Fastify, { type FastifyInstance, type FastifyListenOptions } from 'fastify';
import type { AdminOptions } from './admin-options.js';
import { adminPlugin } from './admin-plugin.js';
import { AdminSetupError } from './admin-setup-error.js';
import { isLoopback } from './loopback.js';
import { assertSafeSetup } from './safe-setup.js';

/**
 * A stand-alone admin server over `provider`: call `listen()` on it. It throws
 * `AdminSetupError` at once without a token (unless `insecureLocal`), and in
 * `insecureLocal` mode its `listen()` rejects any host but a loopback one.
 *
 * @example
 * ```ts
 * const server = createAdminServer({ provider, token: process.env.ADMIN_TOKEN });
 * await server.listen({ host: '127.0.0.1', port: 3000 });
 * ```
 */
export function createAdminServer(options: AdminOptions): FastifyInstance {
  assertSafeSetup(options);
  // Job ids may be 256 characters and names 200, percent-encoded up to three times longer;
  // fastify's default of 100 would answer 414 before the schema could say what is wrong.
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 1024 } });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Not found' }));
  void app.register(adminPlugin, options);
  if (options.token === undefined) holdToLoopback(app);
  return app;
}

/** Wraps `listen` so that a token-less server cannot be bound to a public address. */
function holdToLoopback(app: FastifyInstance): void {
  const listen = app.listen.bind(app) as (...args: unknown[]) => unknown;
  app.listen = function listenOnLoopbackOnly(...args: unknown[]) {
    const listenOptions = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as FastifyListenOptions;
    // fastify's own default host is localhost; a unix socket path is local by nature.
    const host = listenOptions.host ?? 'localhost';
    if (listenOptions.path === undefined && !isLoopback(host)) {
      const error = new AdminSetupError(
        `refusing to listen on ${host} without an admin token: --insecure-local allows loopback addresses only (127.0.0.1, ::1)`,
      );
      const callback = args.find((arg): arg is (error: Error) => void => typeof arg === 'function');
      if (callback === undefined) return Promise.reject(error);
      callback(error);
      return undefined;
    }
    return listen(...args);
  } as FastifyInstance['listen'];
}
