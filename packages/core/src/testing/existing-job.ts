import type { JobInfo } from '../job.js';
import type { QueueProvider } from '../queue-provider.js';

/** `getJob`, failing with a clear message when the job is unexpectedly gone. */
export async function existingJob<T = unknown>(provider: QueueProvider, jobId: string): Promise<JobInfo<T>> {
  const job = await provider.getJob<T>(jobId);
  if (job === null) throw new Error(`getJob('${jobId}') returned null, but the job should exist`);
  return job;
}
