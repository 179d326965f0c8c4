import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../admin-context.js';

/**
 * `GET /metrics`: Prometheus text format. Unauthenticated, as scrapers expect; it
 * carries job names and counts, never job data. Keep the server on a private network
 * (or put it behind your ingress's auth) if names are sensitive.
 */
export function metricsRoutes(app: FastifyInstance, { metrics }: AdminContext): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
