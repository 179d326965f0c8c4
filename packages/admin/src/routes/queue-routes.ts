import type { FastifyInstance } from 'fastify';
import { JOB_STATES, validateCleanOptions } from '@switchyard/core';
import type { AdminContext } from '../admin-context.js';
import { cleanFinishedJobs } from '../clean-finished-jobs.js';
import {
  cleanBody,
  jobListQuery,
  queueNameParams,
  type CleanBody,
  type JobListQuery,
  type QueueNameParams,
} from '../schemas.js';

/**
 * One queue per job name:
 * - `GET /queues`: every known name with its counts per state and its paused flag
 * - `GET /queues/:name/jobs?state=&offset=&limit=`: one page of its jobs, oldest first,
 *   with `total` (the provider's count for that state, or all states) for paging
 * - `POST /queues/:name/pause`, `POST /queues/:name/resume`
 * - `POST /queues/:name/clean` `{ state, olderThanMs }`: removes its finished jobs
 */
export function queueRoutes(api: FastifyInstance, { provider, names }: AdminContext): void {
  api.get('/queues', async () => {
    const known = await names.list();
    const queues = await Promise.all(
      known.map(async (name) => {
        const { paused, ...counts } = await provider.getStats(name);
        return { name, counts, paused };
      }),
    );
    return { provider: provider.name, queues };
  });

  api.get<{ Params: QueueNameParams; Querystring: JobListQuery }>(
    '/queues/:name/jobs',
    { schema: { params: queueNameParams, querystring: jobListQuery } },
    async (request) => {
      const { name } = request.params;
      const { state, offset, limit } = request.query;
      const states = state === undefined ? [...JOB_STATES] : [state];
      const [jobs, stats] = await Promise.all([
        provider.listJobs({ names: [name], states, offset, limit }),
        provider.getStats(name),
      ]);
      names.noteJobs(jobs);
      const total = states.reduce((sum, s) => sum + stats[s], 0);
      return { name, state: state ?? null, offset, limit, total, jobs };
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    api.post<{ Params: QueueNameParams }>(
      `/queues/:name/${action}`,
      { schema: { params: queueNameParams } },
      async (request) => {
        const { name } = request.params;
        names.assertRoomFor(name);
        await (action === 'pause' ? provider.pause(name) : provider.resume(name));
        names.note(name);
        const { paused } = await provider.getStats(name);
        return { name, paused };
      },
    );
  }

  api.post<{ Params: QueueNameParams; Body: CleanBody }>(
    '/queues/:name/clean',
    { schema: { params: queueNameParams, body: cleanBody } },
    async (request) => {
      const { name } = request.params;
      const { state, olderThanMs } = request.body;
      validateCleanOptions({ states: [state], olderThanMs });
      const removed = await cleanFinishedJobs(provider, name, state, olderThanMs);
      return { name, state, olderThanMs, removed };
    },
  );
}
