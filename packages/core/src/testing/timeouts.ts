import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { GAP_SLACK_MS } from './contract-options.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';

/** A timeout reason says so, whatever the provider's exact words. */
const MENTIONS_TIMEOUT = /time(d)?[ -]?out/i;

/** `timeoutMs`: an attempt that runs too long fails, and its signal tells the processor to stop. */
export function describeTimeouts(fixture: ContractFixture): void {
  describe('timeouts', () => {
    it('fails an attempt that outlives timeoutMs, with a reason that mentions the timeout', async () => {
      // This processor ignores its signal: the provider must fail the attempt on its own.
      const stuck = new Latch();
      const processor = recordingProcessor('slow', () => stuck.wait());
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      try {
        const id = await provider.scheduleJob('slow', {}, { attempts: 1, timeoutMs: 100 });
        const failed = await events.failure(id, fixture.deadline(100));

        const startedAt = processor.attemptsOf(id)[0]!.startedAt;
        expect(failed.at - startedAt).to.be.at.least(100 - GAP_SLACK_MS, 'failed before timeoutMs');
        expect(failed.error.message).to.match(MENTIONS_TIMEOUT);
        const job = await existingJob(provider, id);
        expect(job.state).to.equal('failed');
        expect(job.failedReason).to.match(MENTIONS_TIMEOUT);
      } finally {
        stuck.open();
      }
    });

    it('aborts ctx.signal when the attempt times out', async () => {
      // Both ends on the monotonic clock, so a step of the wall clock cannot shorten what
      // is measured (once read as 77 ms for this 100 ms timeout, with Date.now).
      let startedAt: number | undefined;
      let abortedAt: number | undefined;
      const processor = recordingProcessor('slow', (_job, ctx) => {
        startedAt = performance.now();
        ctx.signal.addEventListener('abort', () => (abortedAt = performance.now()), { once: true });
        return new Latch().wait(ctx.signal); // settles only through the signal
      });
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('slow', {}, { attempts: 1, timeoutMs: 100 });
      await events.failure(id, fixture.deadline(100));

      const [attempt] = processor.attemptsOf(id);
      expect(attempt!.signal.aborted).to.equal(true);
      expect(abortedAt! - startedAt!).to.be.at.least(100 - GAP_SLACK_MS, 'aborted before timeoutMs');
      expect((await existingJob(provider, id)).failedReason).to.match(MENTIONS_TIMEOUT);
    });

    it('retries a timed-out attempt while attempts are left', async () => {
      const processor = recordingProcessor('slow', async (_job, ctx) => {
        if (ctx.attempt === 1) await new Latch().wait(ctx.signal); // only the timeout ends it
        return `done on attempt ${ctx.attempt}`;
      });
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('slow', {}, { attempts: 2, timeoutMs: 100 });
      const completed = await events.completion(id, fixture.deadline(100));

      expect(completed.result).to.equal('done on attempt 2');
      expect(events.retryingOf(id)).to.have.lengthOf(1);
      expect(events.retryingOf(id)[0]!.error.message).to.match(MENTIONS_TIMEOUT);
      const job = await existingJob(provider, id);
      expect(job.state).to.equal('completed');
      expect(job.attemptsMade).to.equal(2);
    });

    it('leaves the signal alone for an attempt that finishes within timeoutMs', async () => {
      const processor = recordingProcessor('quick', () => 'fast enough');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('quick', {}, { timeoutMs: 5000 });
      const completed = await events.completion(id, fixture.deadline());

      expect(completed.result).to.equal('fast enough');
      expect(processor.attemptsOf(id)[0]!.signal.aborted).to.equal(false);
      expect((await existingJob(provider, id)).timeoutMs).to.equal(5000);
    });
  });
}
