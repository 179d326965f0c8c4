import type { FastifyInstance } from 'fastify';
import type { HealthStatus } from '@switchyard/core';
import type { AdminContext } from '../admin-context.js';

/**
 * `GET /health`: the provider's own health check, 200 when healthy and 503 otherwise
 * (for load balancers and orchestrators). Unauthenticated, like any liveness probe. A
 * check that throws or outlasts `healthTimeoutMs` counts as unhealthy.
 */
export function healthRoutes(app: FastifyInstance, { provider, healthTimeoutMs }: AdminContext): void {
  app.get('/health', async (_request, reply) => {
    const startedAt = Date.now();
    let health: HealthStatus;
    try {
      health = await withDeadline(provider.checkHealth(), healthTimeoutMs);
    } catch (error) {
      health = {
        healthy: false,
        provider: provider.name,
        latencyMs: Date.now() - startedAt,
        error: (error as Error).message,
      };
    }
    return reply.code(health.healthy ? 200 : 503).send(health);
  });
}

function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
