import { expect } from 'chai';
import type { JobInfo } from '../job.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { recordingProcessor } from './recording-processor.js';
import { once } from './waiting.js';

/** The `completed`, `failed` and `retrying` events and what they carry. */
export function describeEvents(fixture: ContractFixture): void {
  describe('events', () => {
    it("emits 'completed' with the job and the result", async () => {
      const provider = await fixture.startedProvider([recordingProcessor('greet', () => ({ greeting: 'hello' }))]);
      const completed = once(provider, 'completed', (job) => job.name === 'greet', { timeoutMs: fixture.deadline() });
      const id = await provider.scheduleJob('greet', { to: 'Ada' });

      const [job, result] = await completed;
      expect(job.id).to.equal(id);
      expect(job.name).to.equal('greet');
      expect(job.data).to.deep.equal({ to: 'Ada' });
      expect(job.state).to.equal('completed');
      expect(result).to.deep.equal({ greeting: 'hello' });
    });

    it("emits 'failed' with the job and the error", async () => {
      const provider = await fixture.startedProvider([
        recordingProcessor('greet', () => {
          throw new Error('no such person');
        }),
      ]);
      const failed = once(provider, 'failed', (job) => job.name === 'greet', { timeoutMs: fixture.deadline() });
      const id = await provider.scheduleJob('greet', { to: 'Nobody' }, { attempts: 1 });

      const [job, error] = await failed;
      expect(job.id).to.equal(id);
      expect(job.state).to.equal('failed');
      expect(job.attemptsMade).to.equal(1);
      expect(job.failedReason).to.include('no such person');
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.equal('no such person');
    });

    it("emits 'retrying' with the job, the error and the delay before the next attempt", async () => {
      const provider = await fixture.startedProvider([
        recordingProcessor('greet', (_job, ctx) => {
          if (ctx.attempt === 1) throw new Error('try again');
          return 'ok';
        }),
      ]);
      const retrying = once(provider, 'retrying', (job) => job.name === 'greet', { timeoutMs: fixture.deadline() });
      const id = await provider.scheduleJob('greet', {}, { attempts: 2, backoff: { type: 'fixed', delayMs: 30 } });

      const [job, error, delayMs] = await retrying;
      expect(job.id).to.equal(id);
      expect(job.attemptsMade).to.equal(1);
      expect(error.message).to.equal('try again');
      expect(delayMs).to.equal(30);
    });

    it('stops calling a listener removed with off()', async () => {
      const provider = await fixture.startedProvider([recordingProcessor('greet')]);
      const events = new EventRecorder(provider);
      const heard: JobInfo[] = [];
      const listener = (job: JobInfo): void => {
        heard.push(job);
      };
      provider.on('completed', listener);
      const first = await provider.scheduleJob('greet', {});
      await events.completion(first, fixture.deadline());

      provider.off('completed', listener);
      const second = await provider.scheduleJob('greet', {});
      await events.completion(second, fixture.deadline());
      expect(heard.map((job) => job.id)).to.deep.equal([first]);
    });
  });
}
