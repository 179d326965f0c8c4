import { expect } from 'chai';
import { nextCronOccurrence } from '../cron-schedule.js';
import { MIN_REPEAT_EVERY_MS } from '../validate-schedule.js';
import type { ContractFixture } from './contract-fixture.js';
import { EARLY_START_SLACK_MS } from './contract-options.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/** Immediate, delayed, past and repeating schedules: their state, their runAt, when they start. */
export function describeScheduling(fixture: ContractFixture): void {
  describe('scheduling', () => {
    it('stores an immediate job as waiting, due now', async () => {
      const provider = await fixture.connectedProvider();
      const before = Date.now();
      const id = await provider.scheduleJob('report', { n: 1 });
      const after = Date.now();

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('waiting');
      expect(job.runAt?.getTime()).to.be.within(before - EARLY_START_SLACK_MS, after + EARLY_START_SLACK_MS);
    });

    it('runs an immediate job scheduled before start() once the provider starts', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('report', { n: 1 });

      await provider.start();
      await events.completion(id, fixture.deadline());
      expect(processor.attemptsOf(id)).to.have.lengthOf(1);
    });

    it('starts an immediate job on a started provider within the tolerance', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const scheduledAt = Date.now();
      const id = await provider.scheduleJob('report', {});

      await events.completion(id, fixture.deadline());
      const [attempt] = processor.attemptsOf(id);
      expect(attempt!.startedAt - scheduledAt).to.be.at.most(fixture.toleranceMs);
    });

    it('stores a delayed job as scheduled, due delayMs from now', async () => {
      const provider = await fixture.connectedProvider();
      const before = Date.now();
      const id = await provider.scheduleJob('report', {}, { delayMs: 60_000 });
      const after = Date.now();

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('scheduled');
      expect(job.runAt?.getTime()).to.be.within(
        before + 60_000 - EARLY_START_SLACK_MS,
        after + 60_000 + EARLY_START_SLACK_MS,
      );
    });

    it('never starts a delayed job before its runAt, and starts it within the tolerance', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      const before = Date.now();
      const id = await provider.scheduleJob('report', {}, { delayMs: 200 });
      const after = Date.now();
      const runAt = (await existingJob(provider, id)).runAt!.getTime();
      expect(runAt).to.be.within(before + 200 - EARLY_START_SLACK_MS, after + 200 + EARLY_START_SLACK_MS);

      await events.completion(id, fixture.deadline(200));
      const [attempt] = processor.attemptsOf(id);
      // Against the requested delay, not only the runAt the provider reports.
      expect(attempt!.startedAt).to.be.at.least(
        before + 200 - EARLY_START_SLACK_MS,
        'started before the delay was over',
      );
      expect(attempt!.startedAt).to.be.at.least(runAt - EARLY_START_SLACK_MS, 'started before runAt');
      expect(attempt!.startedAt).to.be.at.most(runAt + fixture.toleranceMs, 'started later than the tolerance');
    });

    it('runs a job at an absolute future runAt, not before', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      // A second ahead, so that a loaded machine still reads the job back before it is due
      // (150 ms ahead, a busy CI run found it already active).
      const leadMs = 1000;
      const runAt = new Date(Date.now() + leadMs);
      const id = await provider.scheduleJob('report', {}, { runAt });

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('scheduled');
      expect(job.runAt?.getTime()).to.equal(runAt.getTime());
      await events.completion(id, fixture.deadline(leadMs));
      const [attempt] = processor.attemptsOf(id);
      expect(attempt!.startedAt).to.be.at.least(runAt.getTime() - EARLY_START_SLACK_MS, 'started before runAt');
      expect(attempt!.startedAt).to.be.at.most(
        runAt.getTime() + fixture.toleranceMs,
        'started later than the tolerance',
      );
    });

    it('treats a runAt in the past as now: the job is waiting, due now, and runs at once', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor);
      const events = new EventRecorder(provider);
      const before = Date.now();
      const id = await provider.scheduleJob('report', {}, { runAt: new Date(before - 60_000) });
      const after = Date.now();

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('waiting');
      expect(job.runAt?.getTime()).to.be.within(before - EARLY_START_SLACK_MS, after + EARLY_START_SLACK_MS);
      const startedAt = Date.now();
      await provider.start();
      await events.completion(id, fixture.deadline());
      expect(processor.attemptsOf(id)[0]!.startedAt - startedAt).to.be.at.most(fixture.toleranceMs);
    });

    it('moves a delayed job to waiting once it is due, without running it while its name is paused', async () => {
      const processor = recordingProcessor('report');
      const provider = await fixture.startedProvider([processor]);
      await provider.pause('report');
      // Long enough that the job is still scheduled when read back on a loaded machine
      // (at 50 ms, calls slowed by a busy CI run found it already waiting).
      const delayMs = 1000;
      const id = await provider.scheduleJob('report', {}, { delayMs });
      expect((await existingJob(provider, id)).state).to.equal('scheduled');

      await waitFor(async () => (await existingJob(provider, id)).state === 'waiting', {
        timeoutMs: fixture.deadline(delayMs),
        message: 'the due job to become waiting',
      });
      expect(processor.attempts).to.have.lengthOf(0);
    });

    it('schedules a cron job for its next occurrence in its time zone', async () => {
      const provider = await fixture.connectedProvider();
      const repeat = { cron: '30 9 * * 1', tz: 'America/New_York' };
      const before = new Date();
      const id = await provider.scheduleJob('weekly-digest', {}, { repeat });

      const job = await existingJob(provider, id);
      expect(job.state).to.equal('scheduled');
      expect(job.repeat).to.deep.equal(repeat);
      // Monday 09:30 in New York; a different instant from 09:30 UTC.
      expect(job.runAt?.toISOString()).to.equal(nextCronOccurrence(repeat.cron, repeat.tz, before).toISOString());
    });

    it('runs a cron job at each occurrence, never before it', async () => {
      const processor = recordingProcessor('every-second');
      const provider = await fixture.startedProvider([processor]);
      const scheduledAt = new Date();
      await provider.scheduleJob('every-second', { tick: true }, { repeat: { cron: '* * * * * *' } });
      const scheduledBy = new Date();

      await waitFor(() => processor.attempts.length >= 2, {
        timeoutMs: fixture.deadline(2000),
        message: 'two occurrences of an every-second cron job',
      });
      // The call may straddle a second boundary, so the first occurrence is one of two.
      const earliestFirst = nextCronOccurrence('* * * * * *', undefined, scheduledAt).getTime();
      const latestFirst = nextCronOccurrence('* * * * * *', undefined, scheduledBy).getTime();
      const [one, two] = processor.attempts;
      expect(one!.startedAt).to.be.at.least(earliestFirst - EARLY_START_SLACK_MS, 'first occurrence started early');
      expect(one!.startedAt).to.be.at.most(latestFirst + fixture.toleranceMs, 'first occurrence started late');
      expect(two!.startedAt).to.be.at.least(
        earliestFirst + 1000 - EARLY_START_SLACK_MS,
        'second occurrence started early',
      );
      expect(one!.job.data).to.deep.equal({ tick: true });
      expect(two!.job.repeat).to.deep.equal({ cron: '* * * * * *' });
    });

    it('runs an everyMs job again and again, without bursts', async () => {
      const processor = recordingProcessor('heartbeat');
      const provider = await fixture.startedProvider([processor]);
      // The shortest interval the contract accepts (MIN_REPEAT_EVERY_MS).
      const everyMs = MIN_REPEAT_EVERY_MS;
      await provider.scheduleJob('heartbeat', { beat: 1 }, { repeat: { everyMs } });

      await waitFor(() => processor.attempts.length >= 3, {
        timeoutMs: fixture.deadline(3 * everyMs + 2 * fixture.toleranceMs),
        message: 'three occurrences of an everyMs job',
      });
      const starts = processor.attempts.slice(0, 3).map((attempt) => attempt.startedAt);
      for (let i = 1; i < starts.length; i += 1) {
        // Providers may align occurrences to their clock, so only a burst is wrong here.
        expect(starts[i]! - starts[i - 1]!).to.be.at.least(everyMs / 2, `gap before occurrence ${i + 1}`);
      }
      for (const attempt of processor.attempts) {
        expect(attempt.job.data).to.deep.equal({ beat: 1 });
        expect(attempt.job.repeat).to.deep.equal({ everyMs });
      }
    });
  });
}
