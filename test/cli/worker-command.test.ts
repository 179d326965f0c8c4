import { expect } from 'chai';
import { BOOKING_REMINDER_JOB, type BookingReminderData } from '@switchyard/domain';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis } from '../support/start-redis.js';
import { runSwitchyard } from '../support/switchyard-process.js';
import { waitUntil } from '../support/wait-until.js';

/** `switchyard worker` is the container's worker process: the reminder processors, on the configured provider, stopped by a signal. */
describe('switchyard worker', function () {
  this.timeout(60_000);

  it('runs a booking reminder on Bull, and on SIGTERM stops gracefully with exit 0', async () => {
    const redis = await startRedis();
    const env = {
      QUEUE_PROVIDER: 'bull',
      REDIS_URL: `${redis.url}/5`,
      QUEUE_PREFIX: `cli-worker-${Date.now()}`,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    const queue = new BullQueueProvider({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX });
    await queue.connect();
    try {
      const worker = runSwitchyard(['worker'], env);
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

  it('exits 1 with every wrong setting when the environment is bad', async () => {
    const worker = runSwitchyard(['worker'], { QUEUE_PROVIDER: 'nope', JOB_CONCURRENCY: '-3' });
    expect(await worker.exited()).to.equal(1);
    expect(worker.stderr())
      .to.include('switchyard worker failed to start')
      .and.include('QUEUE_PROVIDER')
      .and.include('JOB_CONCURRENCY');
  });
});
