import type { JobSnapshot, QueueProvider } from '@switchyard/core';
import { waitUntil } from './wait-until.js';

const DAY = 86_400_000;

export interface MixedJobCounts {
  /** Due months ahead, with priorities and backoff. */
  delayed: number;
  /** Due now, on a paused name, so they stay waiting. */
  waiting: number;
  /** Failed their only attempt. */
  failed: number;
  /** Repeating by cron (with a time zone) and by interval. */
  repeating: number;
}

/** Names the seeded jobs use; every one is paused on the source so nothing runs. */
export const MIXED_JOB_NAMES = ['reminder', 'digest', 'report', 'flaky', 'heartbeat'] as const;

/**
 * Fills a connected provider with jobs of every kind a migration must carry, through
 * the public API only: failed jobs really failed, waiting ones are really due.
 */
export async function seedMixedJobs(
  queue: QueueProvider,
  counts: MixedJobCounts,
  { timeoutMs = 60_000 } = {},
): Promise<void> {
  for (const name of MIXED_JOB_NAMES) if (name !== 'flaky') await queue.pause(name);
  queue.registerProcessor(
    {
      name: 'flaky',
      process: async () => {
        throw new Error('upstream said no');
      },
    },
    { concurrency: 20 },
  );
  await queue.start();

  const pending: Promise<string>[] = [];
  const flush = async () => {
    await Promise.all(pending.splice(0));
  };
  const add = async (promise: Promise<string>) => {
    pending.push(promise);
    if (pending.length >= 200) await flush();
  };

  for (let i = 0; i < counts.failed; i += 1) {
    await add(
      queue.scheduleJob('flaky', { n: i, note: 'fails' }, { jobId: `flaky-${i}`, attempts: 1, priority: 1 + (i % 10) }),
    );
  }
  await flush();
  await waitUntil(async () => (await queue.getStats('flaky')).failed === counts.failed, {
    timeoutMs,
    message: `${counts.failed} jobs to fail`,
    intervalMs: 50,
  });
  await queue.pause('flaky');

  const now = Date.now();
  for (let i = 0; i < counts.delayed; i += 1) {
    const name = i % 2 === 0 ? 'reminder' : 'digest';
    await add(
      queue.scheduleJob(
        name,
        { n: i, customer: { id: `c-${i % 97}`, tags: ['vip', i % 3 === 0 ? 'new' : 'old'] }, amount: i * 1.25 },
        {
          jobId: `delayed-${i}`,
          runAt: new Date(now + 30 * DAY + i * 60_000 + (i % 5) * DAY * 30),
          priority: 1 + (i % 10),
          attempts: 1 + (i % 5),
          ...(i % 3 === 0 ? { backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.25 } } : {}),
          ...(i % 4 === 0 ? { timeoutMs: 30_000 } : {}),
        },
      ),
    );
  }
  for (let i = 0; i < counts.waiting; i += 1) {
    await add(
      queue.scheduleJob(
        'report',
        { n: i },
        { jobId: `waiting-${i}`, priority: 1 + (i % 10), backoff: { type: 'fixed', delayMs: 500 } },
      ),
    );
  }
  // Six months ahead, so no occurrence falls due while a test compares snapshots.
  const farMonth = ((new Date(now).getUTCMonth() + 6) % 12) + 1;
  for (let i = 0; i < counts.repeating; i += 1) {
    await add(
      queue.scheduleJob(
        'heartbeat',
        { n: i },
        {
          jobId: `repeat-${i}`,
          repeat:
            i % 2 === 0
              ? { cron: `${i % 60} 9 15 ${farMonth} *`, tz: 'Europe/Paris' }
              : { everyMs: intervalDueFarAhead(30 * DAY + i * 1000, now) },
        },
      ),
    );
  }
  await flush();
}

/**
 * An interval near `base` whose next occurrence (on the epoch grid, where every
 * provider puts interval repeats) is at least a day after `now`.
 */
function intervalDueFarAhead(base: number, now: number): number {
  let everyMs = base;
  while (everyMs - (now % everyMs) < DAY) everyMs += 3_600_000;
  return everyMs;
}

/** Every snapshot a provider exports, by id, for field-by-field comparison. */
export async function exportById(
  queue: QueueProvider,
  states?: JobSnapshot['state'][],
): Promise<Map<string, JobSnapshot>> {
  const byId = new Map<string, JobSnapshot>();
  for await (const snapshot of queue.exportJobs(states === undefined ? {} : { states }))
    byId.set(snapshot.id, snapshot);
  return byId;
}
