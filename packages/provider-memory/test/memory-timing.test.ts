import { expect } from 'chai';
import sinon from 'sinon';
import type { JobInfo } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

const DAY = 24 * 60 * 60 * 1000;

// Fake timers make these exact: the provider arms real setTimeout calls, and the
// fake clock decides when they fire.
describe('MemoryQueueProvider timing (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let provider: MemoryQueueProvider;
  let runs: { id: string; at: string }[];

  beforeEach(async () => {
    clock = sinon.useFakeTimers({
      now: new Date('2026-01-10T00:00:00.000Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
    provider = new MemoryQueueProvider();
    runs = [];
    provider.registerProcessor({
      name: 'reminder',
      process: async (job: JobInfo) => {
        runs.push({ id: job.id, at: new Date().toISOString() });
      },
    });
    await provider.connect();
    await provider.start();
  });

  afterEach(async () => {
    await provider.close({ timeoutMs: 10 });
    clock.restore();
  });

  it('runs a job due in 90 days at that instant, beyond the 24.8-day limit of one setTimeout', async () => {
    const runAt = new Date(Date.now() + 90 * DAY);
    await provider.scheduleJob('reminder', null, { jobId: 'far', runAt });
    await clock.tickAsync(90 * DAY - 1);
    expect(runs).to.deep.equal([]);
    expect((await provider.getJob('far'))?.state).to.equal('scheduled');
    await clock.tickAsync(1);
    expect(runs).to.deep.equal([{ id: 'far', at: runAt.toISOString() }]);
  });

  it('runs a cron repeat in its time zone: 09:00 Paris is 08:00 UTC in winter', async () => {
    await provider.scheduleJob('reminder', null, { jobId: 'daily', repeat: { cron: '0 9 * * *', tz: 'Europe/Paris' } });
    expect((await provider.getJob('daily'))?.runAt?.toISOString()).to.equal('2026-01-10T08:00:00.000Z');
    await clock.tickAsync(2 * DAY);
    expect(runs.map((run) => run.at)).to.deep.equal(['2026-01-10T08:00:00.000Z', '2026-01-11T08:00:00.000Z']);
    expect((await provider.getJob('daily'))?.runAt?.toISOString()).to.equal('2026-01-12T08:00:00.000Z');
  });

  it('keeps an interval repeat on its grid', async () => {
    await provider.scheduleJob('reminder', null, { jobId: 'tick', repeat: { everyMs: 1000 } });
    await clock.tickAsync(3500);
    expect(runs.map((run) => run.at)).to.deep.equal([
      '2026-01-10T00:00:01.000Z',
      '2026-01-10T00:00:02.000Z',
      '2026-01-10T00:00:03.000Z',
    ]);
  });

  it('waits out an exponential backoff exactly', async () => {
    const attempts: string[] = [];
    provider.registerProcessor({
      name: 'flaky',
      process: async () => {
        attempts.push(new Date().toISOString());
        throw new Error('down');
      },
    });
    await provider.scheduleJob('flaky', null, {
      jobId: 'f',
      attempts: 4,
      backoff: { type: 'exponential', delayMs: 1000 },
    });
    await clock.tickAsync(10_000);
    expect(attempts).to.deep.equal([
      '2026-01-10T00:00:00.000Z',
      '2026-01-10T00:00:01.000Z',
      '2026-01-10T00:00:03.000Z',
      '2026-01-10T00:00:07.000Z',
    ]);
    expect((await provider.getJob('f'))?.state).to.equal('failed');
  });
});
