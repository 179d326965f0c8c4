import { expect } from 'chai';
import type { ContractFixture } from './contract-fixture.js';
import { CONTRACT_PROVIDER_OPTIONS, EARLY_START_SLACK_MS, GAP_SLACK_MS } from './contract-options.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor, type RecordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/** A processor whose attempts fail until attempt `succeedOn` (never, by default). */
function failingProcessor(name: string, succeedOn = Infinity): RecordingProcessor {
  return recordingProcessor(name, (_job, ctx) => {
    if (ctx.attempt < succeedOn) throw new Error(`boom on attempt ${ctx.attempt}`);
    return `succeeded on attempt ${ctx.attempt}`;
  });
}

/** The time between consecutive attempt starts of one job. */
function gapsBetweenStarts(processor: RecordingProcessor, jobId: string): number[] {
  const starts = processor.attemptsOf(jobId).map((attempt) => attempt.startedAt);
  return starts.slice(1).map((start, index) => start - starts[index]!);
}

/** `attempts` and `backoff`: how often a failing job runs, how far apart, and how it ends. */
export function describeRetries(fixture: ContractFixture): void {
  describe('retries', () => {
    it('retries a failing job until its attempts are used, counting ctx.attempt from 1', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 3 });
      await events.failure(id, fixture.deadline());

      expect(processor.attemptsOf(id).map((attempt) => attempt.attempt)).to.deep.equal([1, 2, 3]);
      expect(processor.attemptsOf(id).map((attempt) => attempt.job.attemptsMade)).to.deep.equal([0, 1, 2]);
    });

    it('ends a job that always fails as failed, with failedReason and attemptsMade', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 3 });
      await events.failure(id, fixture.deadline());

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('failed');
      expect(job.attemptsMade).to.equal(3);
      expect(job.maxAttempts).to.equal(3);
      expect(job.failedReason).to.be.a('string').that.include('boom on attempt 3');
      expect(job.finishedAt).to.be.instanceOf(Date);
    });

    it('fires retrying events between attempts and exactly one failed event at the end', async () => {
      const processor = failingProcessor('flaky');
      const barrierProcessor = recordingProcessor('barrier');
      const provider = await fixture.startedProvider([processor, barrierProcessor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', { n: 1 }, { attempts: 3 });
      const failed = await events.failure(id, fixture.deadline());
      // Anything the provider would still emit for the failed job comes before this completes.
      const barrier = await provider.scheduleJob('barrier', {});
      await events.completion(barrier, fixture.deadline());

      expect(events.failedOf(id)).to.have.lengthOf(1);
      expect(failed.job.id).to.equal(id);
      expect(failed.job.state).to.equal('failed');
      expect(failed.error).to.be.instanceOf(Error);
      expect(failed.error.message).to.include('boom on attempt 3');
      const retrying = events.retryingOf(id);
      expect(retrying).to.have.lengthOf(2);
      expect(retrying.map((event) => event.error.message)).to.deep.equal(['boom on attempt 1', 'boom on attempt 2']);
      for (const event of retrying) expect(event.at).to.be.at.most(failed.at);
      expect(events.completedOf(id)).to.have.lengthOf(0);
    });

    it("uses the provider's defaultAttempts when attempts is not given", async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {});
      await events.failure(id, fixture.deadline());

      expect(processor.attemptsOf(id)).to.have.lengthOf(CONTRACT_PROVIDER_OPTIONS.defaultAttempts);
      expect((await existingJob(provider, id)).maxAttempts).to.equal(CONTRACT_PROVIDER_OPTIONS.defaultAttempts);
    });

    it('does not retry a job with attempts 1', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 1 });
      await events.failure(id, fixture.deadline());

      expect(processor.attemptsOf(id)).to.have.lengthOf(1);
      expect(events.retryingOf(id)).to.have.lengthOf(0);
      expect((await existingJob(provider, id)).attemptsMade).to.equal(1);
    });

    it('completes a job that succeeds on a later attempt, with its result', async () => {
      const processor = failingProcessor('flaky', 2);
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 3 });
      const completed = await events.completion(id, fixture.deadline());

      expect(completed.result).to.equal('succeeded on attempt 2');
      const job = await existingJob(provider, id);
      expect(job.state).to.equal('completed');
      expect(job.result).to.equal('succeeded on attempt 2');
      expect(job.attemptsMade).to.equal(2);
      expect(events.retryingOf(id)).to.have.lengthOf(1);
      expect(events.failedOf(id)).to.have.lengthOf(0);
    });

    it('waits the fixed backoff delay between attempts', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delayMs: 100 } });
      await events.failure(id, fixture.deadline(200));

      const gaps = gapsBetweenStarts(processor, id);
      expect(gaps).to.have.lengthOf(2);
      for (const gap of gaps) {
        expect(gap).to.be.at.least(100 - GAP_SLACK_MS, `gaps ${gaps.join(', ')} ms`);
        expect(gap).to.be.at.most(100 + fixture.toleranceMs, `gaps ${gaps.join(', ')} ms`);
      }
      expect(events.retryingOf(id).map((event) => event.delayMs)).to.deep.equal([100, 100]);
    });

    it('doubles an exponential backoff delay after each failure', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob(
        'flaky',
        {},
        { attempts: 4, backoff: { type: 'exponential', delayMs: 50 } },
      );
      await events.failure(id, fixture.deadline(350));

      const gaps = gapsBetweenStarts(processor, id);
      const expected = [50, 100, 200];
      expect(gaps).to.have.lengthOf(3);
      gaps.forEach((gap, index) => {
        expect(gap).to.be.at.least(expected[index]! - GAP_SLACK_MS, `gaps ${gaps.join(', ')} ms`);
        expect(gap).to.be.at.most(expected[index]! + fixture.toleranceMs, `gaps ${gaps.join(', ')} ms`);
      });
      expect(events.retryingOf(id).map((event) => event.delayMs)).to.deep.equal(expected);
    });

    it('caps an exponential backoff at maxDelayMs', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const backoff = { type: 'exponential', delayMs: 40, maxDelayMs: 60 } as const;
      const id = await provider.scheduleJob('flaky', {}, { attempts: 4, backoff });
      await events.failure(id, fixture.deadline(160));

      const expected = [40, 60, 60];
      expect(events.retryingOf(id).map((event) => event.delayMs)).to.deep.equal(expected);
      gapsBetweenStarts(processor, id).forEach((gap, index) => {
        expect(gap).to.be.at.least(expected[index]! - GAP_SLACK_MS, `gap ${index + 1}`);
      });
    });

    it('shortens a jittered backoff to within [delay * (1 - jitter), delay]', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const backoff = { type: 'fixed', delayMs: 100, jitter: 0.5 } as const;
      const id = await provider.scheduleJob('flaky', {}, { attempts: 3, backoff });
      await events.failure(id, fixture.deadline(200));

      const delays = events.retryingOf(id).map((event) => event.delayMs);
      expect(delays).to.have.lengthOf(2);
      const gaps = gapsBetweenStarts(processor, id);
      delays.forEach((delay, index) => {
        expect(delay).to.be.within(50, 100);
        expect(gaps[index]).to.be.at.least(delay - GAP_SLACK_MS, `gap ${index + 1} shorter than its delay ${delay}`);
      });
    });

    it('keeps a job that waits for its backoff as scheduled, due at the retry time', async () => {
      const processor = failingProcessor('flaky');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('flaky', {}, { attempts: 2, backoff: { type: 'fixed', delayMs: 60_000 } });
      await waitFor(() => events.retryingOf(id).length === 1, {
        timeoutMs: fixture.deadline(),
        message: 'a retrying event',
      });

      const job = await existingJob(provider, id);
      const attemptStart = processor.attemptsOf(id)[0]!.startedAt;
      expect(job.state).to.equal('scheduled');
      expect(job.attemptsMade).to.equal(1);
      expect(job.runAt?.getTime()).to.be.within(
        attemptStart + 60_000 - EARLY_START_SLACK_MS,
        events.retryingOf(id)[0]!.at + 60_000 + EARLY_START_SLACK_MS,
      );
      expect(processor.attemptsOf(id)).to.have.lengthOf(1);
    });
  });
}
