import { expect } from 'chai';
import type { JobInfo } from '../job.js';
import type { ContractFixture } from './contract-fixture.js';
import { CONTRACT_PROVIDER_OPTIONS } from './contract-options.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/** What a processor is handed, what a running job looks like, and what a finished one keeps. */
export function describeProcessing(fixture: ContractFixture): void {
  describe('processing', () => {
    it('hands the processor the job as active, with its id, name and data, on attempt 1', async () => {
      const processor = recordingProcessor('welcome');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const data = { userId: 'u-1', tags: ['new'] };
      const id = await provider.scheduleJob('welcome', data, { priority: 2 });
      await events.completion(id, fixture.deadline());

      const [attempt] = processor.attemptsOf(id);
      const job: JobInfo = attempt!.job;
      expect(job.id).to.equal(id);
      expect(job.name).to.equal('welcome');
      expect(job.data).to.deep.equal(data);
      expect(job.state).to.equal('active');
      expect(job.priority).to.equal(2);
      expect(job.attemptsMade).to.equal(0);
      expect(job.maxAttempts).to.equal(CONTRACT_PROVIDER_OPTIONS.defaultAttempts);
      expect(attempt!.attempt).to.equal(1);
      expect(attempt!.signal).to.be.instanceOf(AbortSignal);
    });

    it('passes JSON data of every shape through unchanged', async () => {
      const processor = recordingProcessor('echo');
      const provider = await fixture.startedProvider([processor], { concurrency: 5 });
      const events = new EventRecorder(provider);
      const shapes: unknown[] = [
        { nested: { list: [1, 'two', true, null, { x: 1.5 }] }, text: 'héllo ✓ 日本' },
        ['a', 2, false],
        'just a string',
        -17.25,
        null,
      ];
      const ids: string[] = [];
      for (const data of shapes) ids.push(await provider.scheduleJob('echo', data));
      await Promise.all(ids.map((id) => events.completion(id, fixture.deadline())));

      ids.forEach((id, index) => {
        expect(processor.attemptsOf(id)[0]!.job.data).to.deep.equal(shapes[index], `data #${index} in the processor`);
      });
      for (const [index, id] of ids.entries()) {
        expect((await existingJob(provider, id)).data).to.deep.equal(shapes[index], `data #${index} from getJob`);
      }
    });

    it('shows a running job as active in getJob and getStats', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('export', (_job, ctx) => gate.wait(ctx.signal));
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('export', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

      expect((await existingJob(provider, id)).state).to.equal('active');
      expect((await provider.getStats('export')).active).to.equal(1);
      gate.open();
      await events.completion(id, fixture.deadline());
    });

    it('makes ctx.progress(50) visible through getJob while the job is active', async () => {
      const gate = new Latch();
      const reported = new Latch();
      const processor = recordingProcessor('export', async (_job, ctx) => {
        await ctx.progress(50);
        reported.open();
        await gate.wait(ctx.signal);
      });
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('export', {});
      expect((await existingJob(provider, id)).progress).to.equal(0);

      await provider.start();
      await reported.wait();
      const job = await existingJob(provider, id);
      expect(job.state).to.equal('active');
      expect(job.progress).to.equal(50);
      gate.open();
      await events.completion(id, fixture.deadline());
    });

    it('keeps the result of a completed job, with finishedAt and attemptsMade', async () => {
      const processor = recordingProcessor('sum', (job: JobInfo<{ a: number; b: number }>) => ({
        total: job.data.a + job.data.b,
      }));
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const before = Date.now();
      const id = await provider.scheduleJob('sum', { a: 2, b: 3 });
      const { job: emitted, result } = await events.completion(id, fixture.deadline());
      const after = Date.now();

      expect(result).to.deep.equal({ total: 5 });
      expect(emitted.state).to.equal('completed');
      const job = await existingJob(provider, id);
      expect(job.state).to.equal('completed');
      expect(job.result).to.deep.equal({ total: 5 });
      expect(job.attemptsMade).to.equal(1);
      expect(job.finishedAt).to.be.instanceOf(Date);
      expect(job.finishedAt!.getTime()).to.be.within(before, after);
      expect(job.runAt).to.equal(null);
      expect(job.failedReason).to.equal(undefined);
    });

    it('runs each successful job exactly once', async () => {
      const processor = recordingProcessor('once');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor, { concurrency: 1 });
      const events = new EventRecorder(provider);
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await provider.scheduleJob('once', { i }));
      // FIFO on one name with concurrency 1: when this one is done, every earlier one has had its turn.
      const barrier = await provider.scheduleJob('once', { barrier: true });
      await provider.start();

      await events.completion(barrier, fixture.deadline());
      await Promise.all(ids.map((id) => events.completion(id, fixture.deadline())));
      for (const id of ids) expect(processor.attemptsOf(id)).to.have.lengthOf(1, `runs of job ${id}`);
      expect(events.completed.filter((event) => ids.includes(event.job.id))).to.have.lengthOf(5);
    });

    it('runs the jobs of a processor registered after start(), waiting ones and new ones', async () => {
      const provider = await fixture.startedProvider([recordingProcessor('first')]);
      const events = new EventRecorder(provider);
      const waiting = await provider.scheduleJob('late', { n: 1 });
      const processor = recordingProcessor('late');
      provider.registerProcessor(processor);
      const scheduled = await provider.scheduleJob('late', { n: 2 });

      await events.completion(waiting, fixture.deadline());
      await events.completion(scheduled, fixture.deadline());
      expect(processor.attempts.map((attempt) => attempt.job.id)).to.have.members([waiting, scheduled]);
    });
  });
}
