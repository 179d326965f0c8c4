import { expect } from 'chai';
import { MIN_REPEAT_EVERY_MS } from '../validate-schedule.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/**
 * `cancelJob`. "It never runs" is proven with a barrier: a job that is due after the
 * cancelled one would have been, and whose completion shows the provider has had its
 * chance to run the cancelled one.
 */
export function describeCancellation(fixture: ContractFixture): void {
  describe('cancelJob', () => {
    it('cancels a scheduled job: true, gone, and it never runs', async () => {
      const processor = recordingProcessor('reminder');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const doomed = await provider.scheduleJob('reminder', { doomed: true }, { delayMs: 100 });

      expect(await provider.cancelJob(doomed)).to.equal(true);
      expect(await provider.getJob(doomed)).to.equal(null);
      const barrier = await provider.scheduleJob('reminder', { barrier: true }, { delayMs: 250 });
      await events.completion(barrier, fixture.deadline(250));
      expect(processor.attemptsOf(doomed)).to.have.lengthOf(0);
      expect((await provider.listJobs()).map((job) => job.id)).to.deep.equal([barrier]);
    });

    it('cancels a waiting job: true, gone, and it never runs', async () => {
      const processor = recordingProcessor('reminder');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor, { concurrency: 1 });
      const events = new EventRecorder(provider);
      const doomed = await provider.scheduleJob('reminder', { doomed: true });
      // Same name, same priority, scheduled later: it would run after the doomed job.
      const barrier = await provider.scheduleJob('reminder', { barrier: true });
      expect((await existingJob(provider, doomed)).state).to.equal('waiting');

      expect(await provider.cancelJob(doomed)).to.equal(true);
      expect(await provider.getJob(doomed)).to.equal(null);
      await provider.start();
      await events.completion(barrier, fixture.deadline());
      expect(processor.attemptsOf(doomed)).to.have.lengthOf(0);
    });

    it('stops a repeating job for good', async () => {
      // The shortest interval the contract accepts (MIN_REPEAT_EVERY_MS).
      const everyMs = MIN_REPEAT_EVERY_MS;
      const ticks = recordingProcessor('tick');
      const barrierProcessor = recordingProcessor('barrier');
      const provider = await fixture.startedProvider([ticks, barrierProcessor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('tick', {}, { repeat: { everyMs } });
      await waitFor(() => ticks.attempts.length >= 2 && ticks.active === 0, {
        timeoutMs: fixture.deadline(2 * everyMs + fixture.toleranceMs),
        message: 'two occurrences of the repeating job',
      });

      expect(await provider.cancelJob(id)).to.equal(true);
      const occurrencesAtCancel = ticks.attempts.length;
      // Another occurrence, had the cancel not held, would have started before this.
      const barrier = await provider.scheduleJob('barrier', {}, { delayMs: 2 * everyMs });
      await events.completion(barrier, fixture.deadline(2 * everyMs));
      expect(ticks.attempts.length).to.equal(occurrencesAtCancel, 'the repeating job ran after it was cancelled');
      expect(await provider.getJob(id)).to.equal(null);
      expect(await provider.listJobs({ names: ['tick'], states: ['scheduled', 'waiting', 'active'] })).to.have.lengthOf(
        0,
      );
    });

    it('stops a repeating job whose occurrence is running: true, that occurrence finishes, and no other follows', async () => {
      const everyMs = MIN_REPEAT_EVERY_MS;
      const gate = new Latch();
      const ticks = recordingProcessor('tick', (_job, ctx) => gate.wait(ctx.signal).then(() => 'done'));
      const barrierProcessor = recordingProcessor('barrier');
      const provider = await fixture.startedProvider([ticks, barrierProcessor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('tick', {}, { repeat: { everyMs } });
      await waitFor(() => ticks.active === 1, {
        timeoutMs: fixture.deadline(everyMs),
        message: 'the first occurrence to start',
      });

      expect(await provider.cancelJob(id)).to.equal(true);
      gate.open();
      const { result } = await events.completion(id, fixture.deadline());
      expect(result).to.equal('done');
      // Another occurrence, had the cancel not held, would have started before this.
      const barrier = await provider.scheduleJob('barrier', {}, { delayMs: 2 * everyMs });
      await events.completion(barrier, fixture.deadline(2 * everyMs));
      expect(ticks.attempts).to.have.lengthOf(1, 'occurrences of the cancelled repeating job');
      expect(await provider.getJob(id)).to.equal(null);
    });

    it('cancels a cron job before its first occurrence', async () => {
      const provider = await fixture.connectedProvider();
      const id = await provider.scheduleJob('monthly', {}, { repeat: { cron: '0 0 1 * *', tz: 'Europe/Paris' } });

      expect(await provider.cancelJob(id)).to.equal(true);
      expect(await provider.getJob(id)).to.equal(null);
      expect(await provider.listJobs()).to.have.lengthOf(0);
    });

    it('returns false for an unknown id', async () => {
      const provider = await fixture.connectedProvider();
      expect(await provider.cancelJob('no-such-job')).to.equal(false);
    });

    it('returns false when the job was already cancelled', async () => {
      const provider = await fixture.connectedProvider();
      const id = await provider.scheduleJob('reminder', {}, { delayMs: 60_000 });

      expect(await provider.cancelJob(id)).to.equal(true);
      expect(await provider.cancelJob(id)).to.equal(false);
    });

    it('returns false for an active job, which then completes', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('reminder', (_job, ctx) => gate.wait(ctx.signal).then(() => 'done'));
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('reminder', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

      expect(await provider.cancelJob(id)).to.equal(false);
      gate.open();
      const { result } = await events.completion(id, fixture.deadline());
      expect(result).to.equal('done');
      expect((await existingJob(provider, id)).state).to.equal('completed');
    });
  });
}
