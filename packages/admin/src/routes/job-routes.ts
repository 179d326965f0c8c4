import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@switchyard/core';
import type { AdminContext } from '../admin-context.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { asBodyFieldError, toScheduleOptions } from '../schedule-request.js';
import { jobIdParams, scheduleBody, type JobIdParams, type ScheduleBody } from '../schemas.js';

/**
 * One job at a time:
 * - `GET /jobs/:id`: everything the provider knows (data, attempts, failure reason, progress, result)
 * - `POST /jobs/:id/retry`: a failed job back to waiting (409 if it has not failed)
 * - `DELETE /jobs/:id`: removes it (409 while it runs; a running repeating job stops after this run)
 * - `POST /jobs` `{ name, data?, options? }`: schedules one, validated exactly like `scheduleJob`;
 *   201 with its id, or 200 when `options.jobId` names a job that already exists
 */
export function jobRoutes(api: FastifyInstance, { provider, names }: AdminContext): void {
  const mustExist = async (id: string) => {
    const job = await provider.getJob(id);
    if (job === null) throw new NotFoundError(`Job ${id} not found`);
    names.noteJobs([job]);
    return job;
  };

  api.get<{ Params: JobIdParams }>('/jobs/:id', { schema: { params: jobIdParams } }, async (request) => {
    return mustExist(request.params.id);
  });

  api.post<{ Params: JobIdParams }>('/jobs/:id/retry', { schema: { params: jobIdParams } }, async (request) => {
    const { id } = request.params;
    if (await provider.retryJob(id)) return { id, retried: true };
    const job = await mustExist(id);
    throw new ConflictError(`Job ${id} is ${job.state}; only failed jobs can be retried`);
  });

  api.delete<{ Params: JobIdParams }>('/jobs/:id', { schema: { params: jobIdParams } }, async (request) => {
    const { id } = request.params;
    if (await provider.cancelJob(id)) return { id, cancelled: true };
    const job = await mustExist(id);
    throw new ConflictError(`Job ${id} is ${job.state} and cannot be cancelled while it runs`);
  });

  api.post<{ Body: ScheduleBody }>('/jobs', { schema: { body: scheduleBody } }, async (request, reply) => {
    const { name, data } = request.body;
    names.assertRoomFor(name);
    try {
      const options = toScheduleOptions(request.body);
      const existed = typeof options?.jobId === 'string' && (await provider.getJob(options.jobId)) !== null;
      const id = await provider.scheduleJob(name, data, options);
      names.note(name);
      // eslint-disable-next-line @typescript-eslint/return-await -- a Fastify reply is thenable; Fastify's async handlers return it, not await it
      return reply.code(existed ? 200 : 201).send({ id, created: !existed });
    } catch (error) {
      throw error instanceof ValidationError ? asBodyFieldError(error) : error;
    }
  });
}
