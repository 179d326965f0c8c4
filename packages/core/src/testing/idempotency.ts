import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';

/** `jobId`: the caller's key that makes producing a job safe to repeat. */
export function describeIdempotency(fixture: ContractFixture): void {
  describe('idempotent jobId', () => {
    it("uses the caller's jobId as the job id", async () => {
      const provider = await fixture.connectedProvider();
      const id = await provider.scheduleJob('invoice', { n: 1 }, { jobId: 'invoice-42' });

      expect(id).to.equal('invoice-42');
      expect((await existingJob(provider, 'invoice-42')).data).to.deep.equal({ n: 1 });
    });

    it('returns the same id for a jobId that exists and stores nothing new', async () => {
      const provider = await fixture.connectedProvider();
      const first = await provider.scheduleJob('invoice', { n: 1 }, { jobId: 'invoice-42', priority: 2 });
      const second = await provider.scheduleJob(
        'invoice',
        { n: 2 },
        { jobId: 'invoice-42', priority: 9, delayMs: 60_000 },
      );

      expect(second).to.equal(first);
      const jobs = await provider.listJobs();
      expect(jobs.map((job) => job.id)).to.deep.equal(['invoice-42']);
      const job = await existingJob(provider, 'invoice-42');
      expect(job.data).to.deep.equal({ n: 1 });
      expect(job.priority).to.equal(2);
      expect(job.state).to.equal('waiting');
    });

    it('keeps ids unique across names: an existing jobId under another name is a no-op too', async () => {
      const provider = await fixture.connectedProvider();
      await provider.scheduleJob('invoice', { n: 1 }, { jobId: 'shared-id' });
      const again = await provider.scheduleJob('receipt', { n: 2 }, { jobId: 'shared-id' });

      expect(again).to.equal('shared-id');
      expect(await provider.listJobs()).to.have.lengthOf(1);
      expect(await provider.listJobs({ names: ['receipt'] })).to.have.lengthOf(0);
      const job = await existingJob(provider, 'shared-id');
      expect(job.name).to.equal('invoice');
      expect(job.data).to.deep.equal({ n: 1 });
    });

    it('treats a generated id like any other: scheduled again under another name, it is a no-op', async () => {
      const provider = await fixture.connectedProvider();
      const generated = await provider.scheduleJob('invoice', { n: 1 });
      const again = await provider.scheduleJob('receipt', { n: 2 }, { jobId: generated });

      expect(again).to.equal(generated);
      expect(await provider.listJobs({ names: ['receipt'] })).to.have.lengthOf(0);
      const job = await existingJob(provider, generated);
      expect(job.name).to.equal('invoice');
      expect(job.data).to.deep.equal({ n: 1 });
      expect(await provider.cancelJob(generated)).to.equal(true);
      expect(await provider.getJob(generated)).to.equal(null);
    });

    it('does not run a job again when its jobId is scheduled after it completed', async () => {
      const processor = recordingProcessor('invoice');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      await provider.scheduleJob('invoice', { n: 1 }, { jobId: 'invoice-7' });
      await events.completion('invoice-7', fixture.deadline());

      expect(await provider.scheduleJob('invoice', { n: 1 }, { jobId: 'invoice-7' })).to.equal('invoice-7');
      // A job scheduled after the repeat, on the same name, runs after anything the repeat could have queued.
      const barrier = await provider.scheduleJob('invoice', { barrier: true });
      await events.completion(barrier, fixture.deadline());
      expect(processor.attemptsOf('invoice-7')).to.have.lengthOf(1);
      expect((await existingJob(provider, 'invoice-7')).state).to.equal('completed');
    });

    it('generates a distinct id for every job scheduled without a jobId', async () => {
      const provider = await fixture.connectedProvider();
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) ids.push(await provider.scheduleJob(i % 2 === 0 ? 'even' : 'odd', { i }));

      for (const id of ids) expect(id).to.be.a('string').that.is.not.equal('');
      expect(new Set(ids).size).to.equal(20);
      expect(await provider.listJobs()).to.have.lengthOf(20);
    });
  });
}
