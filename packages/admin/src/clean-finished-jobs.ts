import type { QueueProvider } from '@switchyard/core';

const PAGE_SIZE = 500;

/**
 * Removes the finished jobs of ONE name that finished at least `olderThanMs` ago.
 *
 * `QueueProvider.clean` works across every name, while an operator cleans one queue;
 * so this pages through `listJobs` for the name and state and removes each old enough
 * job with `cancelJob` (which removes any job that is not running). Repeating jobs are
 * left alone: on some backends a finished occurrence shares its id with the series,
 * and cancelling it would stop the series for good.
 *
 * Not atomic: jobs that finish while it runs may or may not be removed.
 */
export async function cleanFinishedJobs(
  provider: QueueProvider,
  name: string,
  state: 'completed' | 'failed',
  olderThanMs: number,
): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  // Jobs kept so far; removed ones vanish from the listing, so the next page starts after the kept ones.
  let offset = 0;
  for (;;) {
    const page = await provider.listJobs({ names: [name], states: [state], limit: PAGE_SIZE, offset });
    for (const job of page) {
      const oldEnough = job.finishedAt !== null && job.finishedAt.getTime() <= cutoff;
      if (oldEnough && job.repeat === undefined && (await provider.cancelJob(job.id))) removed += 1;
      else offset += 1;
    }
    if (page.length < PAGE_SIZE) return removed;
  }
}
