import { expect } from 'chai';
import type { JobStats, QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

interface MixedQueues {
  provider: QueueProvider;
  /** Holds 'orders' job in `active` until opened. */
  gate: Latch;
}

/**
 * Name 'orders' (concurrency 1): one completed, one failed, one active, one waiting
 * behind it, one scheduled. Name 'refunds' (paused): two waiting.
 */
async function mixedQueues(fixture: ContractFixture): Promise<MixedQueues> {
  const gate = new Latch();
  const orders = recordingProcessor<{ outcome: 'ok' | 'fail' | 'hold' }>('orders', async (job, ctx) => {
    if (job.data.outcome === 'fail') throw new Error('declined');
    if (job.data.outcome === 'hold') await gate.wait(ctx.signal);
  });
  const provider = await fixture.startedProvider([orders, recordingProcessor('refunds')], { concurrency: 1 });
  const events = new EventRecorder(provider);
  await provider.pause('refunds');
  await provider.scheduleJob('refunds', {});
  await provider.scheduleJob('refunds', {});
  const completed = await provider.scheduleJob('orders', { outcome: 'ok' });
  const failed = await provider.scheduleJob('orders', { outcome: 'fail' }, { attempts: 1 });
  await events.completion(completed, fixture.deadline());
  await events.failure(failed, fixture.deadline());
  await provider.scheduleJob('orders', { outcome: 'hold' });
  await waitFor(() => orders.active === 1, { timeoutMs: fixture.deadline(), message: 'the held job to start' });
  await provider.scheduleJob('orders', { outcome: 'ok' });
  await provider.scheduleJob('orders', { outcome: 'ok' }, { delayMs: 60_000 });
  return { provider, gate };
}

/** `getStats`: counts per state, per name or summed, and the paused flag. */
export function describeStats(fixture: ContractFixture): void {
  describe('getStats', () => {
    it('counts the jobs of one name per state', async () => {
      const { provider, gate } = await mixedQueues(fixture);

      const expected: JobStats = { scheduled: 1, waiting: 1, active: 1, completed: 1, failed: 1, paused: false };
      expect(await provider.getStats('orders')).to.deep.equal(expected);
      expect(await provider.getStats('refunds')).to.deep.equal({
        scheduled: 0,
        waiting: 2,
        active: 0,
        completed: 0,
        failed: 0,
        paused: true,
      });
      gate.open();
    });

    it('sums the counts over every name when no name is given', async () => {
      const { provider, gate } = await mixedQueues(fixture);

      const stats = await provider.getStats();
      // Whether a sum over names with mixed pause states is "paused" is left to providers.
      expect({ ...stats, paused: undefined }).to.deep.equal({
        scheduled: 1,
        waiting: 3,
        active: 1,
        completed: 1,
        failed: 1,
        paused: undefined,
      });
      gate.open();
    });

    it('reports zero counts, not paused, for a name with no jobs', async () => {
      const provider = await fixture.connectedProvider();
      expect(await provider.getStats('never-used')).to.deep.equal({
        scheduled: 0,
        waiting: 0,
        active: 0,
        completed: 0,
        failed: 0,
        paused: false,
      });
    });
  });
}
