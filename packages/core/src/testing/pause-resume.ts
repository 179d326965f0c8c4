import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/** `pause` / `resume`, per name and for every name. */
export function describePauseResume(fixture: ContractFixture): void {
  describe('pause and resume', () => {
    it('starts no job of a paused name while other names keep running', async () => {
      const paused = recordingProcessor('paused');
      const running = recordingProcessor('running');
      const provider = await fixture.startedProvider([paused, running]);
      const events = new EventRecorder(provider);
      await provider.pause('paused');
      const held = await provider.scheduleJob('paused', {});
      const free = await provider.scheduleJob('running', {});

      // The other name's job, scheduled after the held one, completing is the barrier.
      await events.completion(free, fixture.deadline());
      expect(paused.attempts).to.have.lengthOf(0);
      expect((await existingJob(provider, held)).state).to.equal('waiting');
    });

    it('reports paused in getStats(name) until the name resumes', async () => {
      const provider = await fixture.startedProvider([recordingProcessor('mail'), recordingProcessor('sms')]);
      expect((await provider.getStats('mail')).paused).to.equal(false);

      await provider.pause('mail');
      expect((await provider.getStats('mail')).paused).to.equal(true);
      expect((await provider.getStats('sms')).paused).to.equal(false);
      await provider.resume('mail');
      expect((await provider.getStats('mail')).paused).to.equal(false);
    });

    it('runs every waiting job of a name once it resumes', async () => {
      const processor = recordingProcessor('mail');
      const provider = await fixture.startedProvider([processor], { concurrency: 2 });
      const events = new EventRecorder(provider);
      await provider.pause('mail');
      const ids: string[] = [];
      for (let i = 0; i < 4; i += 1) ids.push(await provider.scheduleJob('mail', { i }));
      expect((await provider.getStats('mail')).waiting).to.equal(4);

      await provider.resume('mail');
      await waitFor(() => ids.every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'every job to complete after resume',
      });
      expect((await provider.getStats('mail')).completed).to.equal(4);
    });

    it('pauses every name with pause() and resumes them all with resume()', async () => {
      const mail = recordingProcessor('mail');
      const sms = recordingProcessor('sms');
      const provider = await fixture.startedProvider([mail, sms]);
      const events = new EventRecorder(provider);
      await provider.pause();
      expect((await provider.getStats('mail')).paused).to.equal(true);
      expect((await provider.getStats('sms')).paused).to.equal(true);
      const ids = [await provider.scheduleJob('mail', {}), await provider.scheduleJob('sms', {})];
      // Every name is paused, so no job can serve as a barrier; a delayed job turning
      // waiting shows the provider's clock has moved on past the immediate jobs.
      const marker = await provider.scheduleJob('mail', { marker: true }, { delayMs: 50 });
      await waitFor(async () => (await existingJob(provider, marker)).state === 'waiting', {
        timeoutMs: fixture.deadline(50),
        message: 'the delayed marker job to become waiting',
      });
      expect(mail.attempts.length + sms.attempts.length).to.equal(0);

      await provider.resume();
      expect((await provider.getStats('mail')).paused).to.equal(false);
      expect((await provider.getStats('sms')).paused).to.equal(false);
      await waitFor(() => [...ids, marker].every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'every job to complete after resume()',
      });
    });

    it('lets the job already running finish when its name is paused', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('mail', (_job, ctx) => gate.wait(ctx.signal));
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('mail', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });

      await provider.pause('mail');
      gate.open();
      await events.completion(id, fixture.deadline());
      expect(processor.attemptsOf(id)[0]!.signal.aborted).to.equal(false);
      expect((await existingJob(provider, id)).state).to.equal('completed');
    });
  });
}
