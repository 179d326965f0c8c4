import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { GAP_SLACK_MS } from './contract-options.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { nextTurn, settlesWithin, waitFor } from './waiting.js';

/** Graceful `close()`: finish what runs, start nothing new, abort at the timeout. */
export function describeClose(fixture: ContractFixture): void {
  describe('close', () => {
    it('lets an active job finish, and emits its completion before close() resolves', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('report', (_job, ctx) => gate.wait(ctx.signal).then(() => 'finished'));
      const provider = await fixture.startedProvider([processor]);
      const timeline: string[] = [];
      provider.on('completed', (_job, result) => timeline.push(`completed: ${String(result)}`));
      await provider.scheduleJob('report', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

      const closing = provider.close({ timeoutMs: 10_000 }).then(() => timeline.push('closed'));
      // The job is held by the latch, so a close that waits cannot have resolved yet.
      await nextTurn();
      expect(timeline).to.deep.equal([]);
      gate.open();
      await settlesWithin(closing, fixture.deadline(), 'close()');
      expect(timeline).to.deep.equal(['completed: finished', 'closed']);
      expect(processor.attempts[0]!.signal.aborted).to.equal(false);
    });

    it('starts no new job once close() has begun', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('report', (_job, ctx) => gate.wait(ctx.signal));
      const provider = await fixture.startedProvider([processor], { concurrency: 1 });
      const first = await provider.scheduleJob('report', { n: 1 });
      await provider.scheduleJob('report', { n: 2 });
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the first job to start' });

      const closing = provider.close({ timeoutMs: 10_000 });
      gate.open();
      await settlesWithin(closing, fixture.deadline(), 'close()');
      expect(processor.attempts.map((attempt) => attempt.job.id)).to.deep.equal([first]);
    });

    it('aborts the signal of a job still running at close({ timeoutMs })', async () => {
      let abortedAt: number | undefined;
      const processor = recordingProcessor('report', (_job, ctx) => {
        ctx.signal.addEventListener('abort', () => (abortedAt = Date.now()), { once: true });
        return new Latch().wait(ctx.signal); // only the signal ends it
      });
      const provider = await fixture.startedProvider([processor]);
      await provider.scheduleJob('report', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

      const closeStartedAt = Date.now();
      await settlesWithin(provider.close({ timeoutMs: 100 }), fixture.deadline(100), 'close({ timeoutMs: 100 })');
      expect(processor.attempts[0]!.signal.aborted).to.equal(true);
      expect(abortedAt! - closeStartedAt).to.be.at.least(100 - GAP_SLACK_MS, 'aborted before the close timeout');
    });

    it('resolves close({ timeoutMs }) even when a processor ignores its aborted signal', async () => {
      const stuck = new Latch();
      const processor = recordingProcessor('report', () => stuck.wait());
      const provider = await fixture.startedProvider([processor]);
      try {
        await provider.scheduleJob('report', {});
        await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

        await settlesWithin(provider.close({ timeoutMs: 100 }), fixture.deadline(100), 'close({ timeoutMs: 100 })');
        expect(processor.attempts[0]!.signal.aborted).to.equal(true);
      } finally {
        stuck.open();
      }
    });

    it('can be called twice', async () => {
      const provider = await fixture.startedProvider([recordingProcessor('report')]);
      await provider.close({ timeoutMs: 100 });
      await provider.close({ timeoutMs: 100 });
    });
  });
}
