import { expect } from 'chai';
import type { QueueProvider } from '@switchyard/core';
import { BOOKING_REMINDER_JOB, type BookingReminderData } from '@switchyard/domain';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { bullmqPostgresFixture, bullmqRedisFixture } from '../support/provider-fixtures.js';
import { startRedis } from '../support/start-redis.js';
import { runSwitchyard } from '../support/switchyard-process.js';
import { waitUntil } from '../support/wait-until.js';

/** A producer on the worker's storage, and the worker's environment for it. */
interface WorkerStorage {
  name: string;
  setUp(): Promise<{ queue: QueueProvider; env: Record<string, string> }>;
}

const storages: WorkerStorage[] = [
  {
    name: 'Bull',
    async setUp() {
      const redis = await startRedis();
      // A database other than 0: the URL's path reaches the worker.
      const env = { QUEUE_PROVIDER: 'bull', REDIS_URL: `${redis.url}/5`, QUEUE_PREFIX: `cli-worker-${Date.now()}` };
      return { queue: new BullQueueProvider({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX }), env };
    },
  },
  ...[bullmqRedisFixture, bullmqPostgresFixture].map((fixture) => ({
    name: fixture.name,
    async setUp() {
      const queue = await fixture.make();
      return { queue, env: await fixture.environmentOf(queue) };
    },
  })),
];

/** `switchyard worker` is the container's worker process: the reminder processors, on the configured provider, stopped by a signal. */
describe('switchyard worker', function () {
  this.timeout(60_000);

  for (const storage of storages) {
    it(`runs a booking reminder on ${storage.name}, and on SIGTERM stops gracefully with exit 0`, async () => {
      const { queue, env } = await storage.setUp();
      await queue.connect();
      try {
        const worker = runSwitchyard(['worker'], { ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
        await worker.waitFor('stdout', /"worker started"/, 20_000);
        const reminder: BookingReminderData = {
          bookingId: 'b-1',
          customerId: 'c-1',
          customerEmail: 'ada@example.com',
          bookingDate: new Date(Date.now() + 3_600_000).toISOString(),
          location: 'Studio 3',
          reminder: '1h',
        };
        await queue.scheduleJob(BOOKING_REMINDER_JOB, reminder, { jobId: 'booking:b-1:1h' });
        await waitUntil(async () => (await queue.getJob('booking:b-1:1h'))?.state === 'completed', {
          timeoutMs: 20_000,
          message: 'the reminder to complete',
        });
        expect(worker.stdout()).to.include('would send email to ada@example.com');

        worker.child.kill('SIGTERM');
        expect(await worker.exited(), worker.stderr()).to.equal(0);
        expect(worker.stdout()).to.include('"worker stopped"');
      } finally {
        await queue.close();
      }
    });
  }

  it('exits 1 with every wrong setting when the environment is bad', async () => {
    const worker = runSwitchyard(['worker'], { QUEUE_PROVIDER: 'nope', JOB_CONCURRENCY: '-3' });
    expect(await worker.exited()).to.equal(1);
    expect(worker.stderr())
      .to.include('switchyard worker failed to start')
      .and.include('QUEUE_PROVIDER')
      .and.include('JOB_CONCURRENCY');
  });
});
