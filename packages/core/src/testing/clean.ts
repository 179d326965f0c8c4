import { expect } from 'chai';
import type { QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

interface FinishedJobs {
  provider: QueueProvider;
  events: EventRecorder;
  completed: string[];
  failed: string[];
  waiting: string;
}

/** Two completed and one failed job of 'cleanup', and one waiting job of the paused 'held'. */
async function finishedJobs(fixture: ContractFixture): Promise<FinishedJobs> {
  const processor = recordingProcessor<{ fail?: boolean }>('cleanup', (job) => {
    if (job.data.fail === true) throw new Error('asked to fail');
  });
  const provider = await fixture.startedProvider([processor, recordingProcessor('held')]);
  const events = new EventRecorder(provider);
  await provider.pause('held');
  const completed = [await provider.scheduleJob('cleanup', {}), await provider.scheduleJob('cleanup', {})];
  const failed = [await provider.scheduleJob('cleanup', { fail: true }, { attempts: 1 })];
  const waiting = await provider.scheduleJob('held', {});
  for (const id of completed) await events.completion(id, fixture.deadline());
  for (const id of failed) await events.failure(id, fixture.deadline());
  return { provider, events, completed, failed, waiting };
}

/** `clean`: forgetting finished jobs on request (see `retention.ts` for removal as they finish). */
export function describeClean(fixture: ContractFixture): void {
  describe('clean', () => {
    it('removes every completed job with olderThanMs 0, returns how many, and leaves the rest', async () => {
      const { provider, completed, failed, waiting } = await finishedJobs(fixture);

      expect(await provider.clean({ states: ['completed'], olderThanMs: 0 })).to.equal(2);
      for (const id of completed) expect(await provider.getJob(id)).to.equal(null);
      expect((await provider.listJobs()).map((job) => job.id)).to.have.members([...failed, waiting]);
    });

    it('removes failed jobs when asked for failed', async () => {
      const { provider, completed, waiting } = await finishedJobs(fixture);

      expect(await provider.clean({ states: ['failed'], olderThanMs: 0 })).to.equal(1);
      expect((await provider.listJobs()).map((job) => job.id)).to.have.members([...completed, waiting]);
      expect(await provider.clean({ states: ['completed', 'failed'], olderThanMs: 0 })).to.equal(2);
      expect((await provider.listJobs()).map((job) => job.id)).to.deep.equal([waiting]);
    });

    it('keeps finished jobs younger than olderThanMs', async () => {
      const processor = recordingProcessor('cleanup');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const old = await provider.scheduleJob('cleanup', { age: 'old' });
      await events.completion(old, fixture.deadline());
      const oldFinishedAt = (await existingJob(provider, old)).finishedAt!.getTime();
      // Let the first job age past the threshold (a wait on the clock, not an outcome).
      await waitFor(() => Date.now() - oldFinishedAt >= 400, {
        timeoutMs: 1000,
        intervalMs: 20,
        message: 'the job to age',
      });
      const recent = await provider.scheduleJob('cleanup', { age: 'recent' });
      await events.completion(recent, fixture.deadline());

      expect(await provider.clean({ states: ['completed'], olderThanMs: 300 })).to.equal(1);
      expect(await provider.getJob(old)).to.equal(null);
      expect((await existingJob(provider, recent)).state).to.equal('completed');
    });
  });
}
