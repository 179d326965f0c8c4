import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { silentLogger } from '@switchyard/core';
import { DEFAULT_HEALTH_TIMEOUT_MS, DEFAULT_RATE_LIMIT, type AdminOptions } from './admin-options.js';
import type { AdminContext } from './admin-context.js';
import { createRequestAuthorizer, refuse } from './auth.js';
import { installErrorHandler } from './http-errors.js';
import { KnownJobNames } from './known-job-names.js';
import { createAdminMetrics } from './metrics.js';
import { assertSafeSetup } from './safe-setup.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { queueRoutes } from './routes/queue-routes.js';

/**
 * The admin surface as a fastify plugin, to mount in your own app (encapsulated: its
 * error handler, auth and rate limit apply to its routes only):
 *
 * ```
 * GET  /                      dashboard page (+ /dashboard.js, /dashboard.css)
 * GET  /health                provider health, 200 or 503          (no token)
 * GET  /metrics               Prometheus text                      (no token)
 * GET  /api/queues            ┐
 * GET  /api/queues/:name/jobs │
 * POST /api/queues/:name/pause|resume|clean
 * GET  /api/jobs/:id          │ Authorization: Bearer <token>, rate-limited
 * POST /api/jobs/:id/retry    │
 * DELETE /api/jobs/:id        │
 * POST /api/jobs              ┘
 * ```
 *
 * Job ids may be up to 256 characters: give your fastify app `routerOptions: { maxParamLength: 1024 }`
 * (its default, 100, answers 414 for longer ids).
 *
 * @example
 * ```ts
 * const app = Fastify({ routerOptions: { maxParamLength: 1024 } });
 * await app.register(adminPlugin, { prefix: '/admin', provider, token: process.env.ADMIN_TOKEN });
 * await app.listen({ port: 8080 });
 * ```
 */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, options) => {
  assertSafeSetup(options);
  const { provider } = options;
  const logger = options.logger ?? silentLogger;
  const names = new KnownJobNames(provider, options.jobNames, options.nameDiscovery);
  const metrics = createAdminMetrics(provider, names, logger);
  app.addHook('onClose', async () => metrics.detach());
  const context: AdminContext = {
    provider,
    names,
    metrics,
    logger,
    healthTimeoutMs: options.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
  };

  installErrorHandler(app, logger);
  await dashboardRoutes(app);
  healthRoutes(app, context);
  metricsRoutes(app, context);
  await app.register(
    async (api: FastifyInstance) => {
      if (options.rateLimit !== false) {
        await api.register(rateLimit, {
          max: options.rateLimit?.max ?? DEFAULT_RATE_LIMIT.max,
          timeWindow: options.rateLimit?.timeWindowMs ?? DEFAULT_RATE_LIMIT.timeWindowMs,
          // Counted in onRequest, before authentication: failed token guesses use up the allowance too.
          hook: 'onRequest',
        });
      }
      const authorize = createRequestAuthorizer(options.token);
      // In preParsing, so an unauthenticated request never gets its body read or parsed.
      api.addHook('preParsing', (request, reply, payload, done) => {
        if (authorize(request)) done(null, payload);
        else refuse(reply);
      });
      api.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Not found' }));
      queueRoutes(api, context);
      jobRoutes(api, context);
    },
    { prefix: '/api' },
  );
};
