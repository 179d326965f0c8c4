import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/**
 * Per-name concurrency, observed with counters in the processor. Jobs hold on a latch
 * so the slots stay full; a job of another name is the barrier that shows the provider
 * has had its chance to (wrongly) start more.
 */
export function describeConcurrency(fixture: ContractFixture): void {
  describe('concurrency', () => {
    it('never runs more jobs of a name at once than its concurrency, and fills every slot', async () => {
      const gate = new Latch();
      const limited = recordingProcessor('limited', (_job, ctx) => gate.wait(ctx.signal));
      const barrierProcessor = recordingProcessor('barrier');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(limited, { concurrency: 2 });
      provider.registerProcessor(barrierProcessor);
      await provider.start();
      const events = new EventRecorder(provider);
      const ids: string[] = [];
      for (let i = 0; i < 6; i += 1) ids.push(await provider.scheduleJob('limited', { i }));
      const barrier = await provider.scheduleJob('barrier', {});

      await waitFor(() => limited.attempts.length >= 2, {
        timeoutMs: fixture.deadline(),
        message: 'two jobs to start',
      });
      await events.completion(barrier, fixture.deadline());
      expect(limited.attempts).to.have.lengthOf(2, 'jobs started while both slots were busy');
      expect((await provider.getStats('limited')).active).to.equal(2);
      expect((await provider.getStats('limited')).waiting).to.equal(4);

      gate.open();
      await waitFor(() => ids.every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'all six jobs to complete',
      });
      expect(limited.peakActive).to.equal(2);
    });

    it('runs one job of a name at a time when no concurrency is given', async () => {
      const gate = new Latch();
      const serial = recordingProcessor('serial', (_job, ctx) => gate.wait(ctx.signal));
      const barrierProcessor = recordingProcessor('barrier');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(serial);
      provider.registerProcessor(barrierProcessor);
      await provider.start();
      const events = new EventRecorder(provider);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push(await provider.scheduleJob('serial', { i }));
      const barrier = await provider.scheduleJob('barrier', {});

      await waitFor(() => serial.attempts.length >= 1, { timeoutMs: fixture.deadline(), message: 'a job to start' });
      await events.completion(barrier, fixture.deadline());
      expect(serial.attempts).to.have.lengthOf(1);

      gate.open();
      await waitFor(() => ids.every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'all three jobs to complete',
      });
      expect(serial.peakActive).to.equal(1);
    });

    it('does not share a concurrency limit between names', async () => {
      const gate = new Latch();
      const first = recordingProcessor('first', (_job, ctx) => gate.wait(ctx.signal));
      const second = recordingProcessor('second', (_job, ctx) => gate.wait(ctx.signal));
      const provider = await fixture.startedProvider([first, second], { concurrency: 1 });
      const events = new EventRecorder(provider);
      const a = await provider.scheduleJob('first', {});
      const b = await provider.scheduleJob('second', {});

      // Both hold their only slot at the same time.
      await waitFor(() => first.active === 1 && second.active === 1, {
        timeoutMs: fixture.deadline(),
        message: 'a job of each name to be running at once',
      });
      gate.open();
      await events.completion(a, fixture.deadline());
      await events.completion(b, fixture.deadline());
    });
  });
}
