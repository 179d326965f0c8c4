import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';

/** `retryJob`: a failed job back to waiting, with a fresh set of attempts. */
export function describeRetryJob(fixture: ContractFixture): void {
  describe('retryJob', () => {
    it('puts a failed job back to waiting, and it runs again', async () => {
      let calls = 0;
      const processor = recordingProcessor('payout', () => {
        calls += 1;
        if (calls === 1) throw new Error('bank offline');
        return 'paid';
      });
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('payout', { amount: 10 }, { attempts: 1 });
      await events.failure(id, fixture.deadline());
      await provider.pause('payout');

      expect(await provider.retryJob(id)).to.equal(true);
      const job = await existingJob(provider, id);
      expect(job.state).to.equal('waiting');
      expect(job.data).to.deep.equal({ amount: 10 });
      await provider.resume('payout');
      const completed = await events.completion(id, fixture.deadline());
      expect(completed.result).to.equal('paid');
      expect((await existingJob(provider, id)).state).to.equal('completed');
    });

    it('gives a retried job a fresh set of attempts', async () => {
      let calls = 0;
      // Fails its first two attempts, then, after retryJob, once more before it succeeds.
      const processor = recordingProcessor('payout', () => {
        calls += 1;
        if (calls <= 3) throw new Error(`failure ${calls}`);
        return 'paid';
      });
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('payout', {}, { attempts: 2 });
      await events.failure(id, fixture.deadline());
      expect(processor.attemptsOf(id)).to.have.lengthOf(2);

      expect(await provider.retryJob(id)).to.equal(true);
      const completed = await events.completion(id, fixture.deadline());
      expect(completed.result).to.equal('paid');
      expect(processor.attemptsOf(id)).to.have.lengthOf(4);
    });

    it('returns false for an unknown id', async () => {
      const provider = await fixture.connectedProvider();
      expect(await provider.retryJob('no-such-job')).to.equal(false);
    });

    it('returns false for a job that is not failed, and leaves it alone', async () => {
      const provider = await fixture.startedProvider([recordingProcessor('payout')]);
      const events = new EventRecorder(provider);
      const completed = await provider.scheduleJob('payout', {});
      await events.completion(completed, fixture.deadline());
      await provider.pause('payout');
      const waiting = await provider.scheduleJob('payout', {});
      const scheduled = await provider.scheduleJob('payout', {}, { delayMs: 60_000 });

      expect(await provider.retryJob(completed)).to.equal(false);
      expect(await provider.retryJob(waiting)).to.equal(false);
      expect(await provider.retryJob(scheduled)).to.equal(false);
      expect((await existingJob(provider, completed)).state).to.equal('completed');
      expect((await existingJob(provider, waiting)).state).to.equal('waiting');
      expect((await existingJob(provider, scheduled)).state).to.equal('scheduled');
    });
  });
}
