/**
 * The main job on the embedded default: schedules a handful of jobs on the in-memory
 * provider, processes them, and prints what happened. `npm run demo`.
 */
import type { JobInfo } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

interface Email {
  to: string;
  subject: string;
}

const queue = new MemoryQueueProvider();
await queue.connect();

queue.registerProcessor(
  {
    name: 'email',
    async process(job: JobInfo<Email>, ctx) {
      // The first try at the flaky address fails, to show a retry with backoff.
      if (job.data.to === 'flaky@example.com' && ctx.attempt === 1) throw new Error('mail server said 421, try later');
      await ctx.progress(100);
      return { delivered: job.data.to };
    },
  },
  { concurrency: 2 },
);

const started = Date.now();
const at = () => `+${String(Date.now() - started).padStart(4)} ms`;
queue.on('completed', (job, result) => console.log(`${at()}  completed ${job.id} (attempt ${job.attemptsMade})`, result));
queue.on('retrying', (job, error, delayMs) => console.log(`${at()}  retrying  ${job.id} in ${delayMs} ms: ${error.message}`));
queue.on('failed', (job, error) => console.log(`${at()}  failed    ${job.id}: ${error.message}`));

const ids = [
  await queue.scheduleJob<Email>('email', { to: 'ada@example.com', subject: 'Welcome' }, { jobId: 'welcome-ada' }),
  await queue.scheduleJob<Email>('email', { to: 'bob@example.com', subject: 'Your receipt' }, { priority: 1 }),
  await queue.scheduleJob<Email>('email', { to: 'cy@example.com', subject: 'See you soon' }, { delayMs: 300 }),
  await queue.scheduleJob<Email>(
    'email',
    { to: 'flaky@example.com', subject: 'Retry me' },
    { attempts: 3, backoff: { type: 'exponential', delayMs: 100 } },
  ),
];
// Scheduling the same jobId again is a no-op: idempotent producers.
await queue.scheduleJob<Email>('email', { to: 'ada@example.com', subject: 'Welcome' }, { jobId: 'welcome-ada' });
console.log(`scheduled ${ids.length} jobs on the ${queue.name} provider`);

// Resolve once every job has finished one way or the other.
let finished = 0;
const allFinished = new Promise<void>((resolve) => {
  const count = () => ++finished === ids.length && resolve();
  queue.on('completed', count);
  queue.on('failed', count);
});

await queue.start();
const timeout = setTimeout(() => {
  console.error('demo did not finish within 5 s');
  process.exit(1);
}, 5000);
await allFinished;
clearTimeout(timeout);
console.log('stats:', await queue.getStats('email'));
await queue.close();
