import { expect } from 'chai';
import { ValidationError } from '../errors.js';
import type { JobState } from '../job.js';
import { compareByCreation } from '../list-query.js';
import type { ListJobsQuery, QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { CONTRACT_PROVIDER_OPTIONS, EARLY_START_SLACK_MS } from './contract-options.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';
import { rejectionOf } from './rejection.js';

interface JobsInEveryState {
  provider: QueueProvider;
  /** Name 'alpha': one completed and one failed job; name 'beta' (paused): one scheduled and one waiting. */
  ids: Record<Exclude<JobState, 'active'>, string>;
}

async function jobsInEveryState(fixture: ContractFixture): Promise<JobsInEveryState> {
  const alpha = recordingProcessor<{ fail?: boolean }>('alpha', (job) => {
    if (job.data.fail === true) throw new Error('asked to fail');
    return 'ok';
  });
  const provider = await fixture.startedProvider([alpha, recordingProcessor('beta')]);
  const events = new EventRecorder(provider);
  await provider.pause('beta');
  const completed = await provider.scheduleJob('alpha', {});
  const failed = await provider.scheduleJob('alpha', { fail: true }, { attempts: 1 });
  await events.completion(completed, fixture.deadline());
  await events.failure(failed, fixture.deadline());
  const scheduled = await provider.scheduleJob('beta', {}, { delayMs: 60_000 });
  const waiting = await provider.scheduleJob('beta', {});
  return { provider, ids: { completed, failed, scheduled, waiting } };
}

async function listedIds(provider: QueueProvider, query?: ListJobsQuery): Promise<string[]> {
  return (await provider.listJobs(query)).map((job) => job.id);
}

/** `getJob` and `listJobs`: the fields, the filters, the order and the pages. */
export function describeQueries(fixture: ContractFixture): void {
  describe('getJob', () => {
    it('returns null for an unknown id', async () => {
      const provider = await fixture.connectedProvider();
      expect(await provider.getJob('no-such-job')).to.equal(null);
    });

    it('reports what was scheduled', async () => {
      const provider = await fixture.connectedProvider();
      const data = { bookingId: 'b-17', guests: [{ name: 'Ada' }], total: 120.5 };
      const backoff = { type: 'exponential', delayMs: 1000, maxDelayMs: 8000 } as const;
      const before = Date.now();
      const id = await provider.scheduleJob('booking-reminder', data, {
        delayMs: 60_000,
        priority: 3,
        attempts: 4,
        backoff,
        timeoutMs: 2500,
      });
      const after = Date.now();

      const job = await existingJob(provider, id);
      expect(job.id).to.equal(id);
      expect(job.name).to.equal('booking-reminder');
      expect(job.data).to.deep.equal(data);
      expect(job.state).to.equal('scheduled');
      expect(job.priority).to.equal(3);
      expect(job.maxAttempts).to.equal(4);
      expect(job.attemptsMade).to.equal(0);
      expect(job.progress).to.equal(0);
      expect(job.createdAt).to.be.instanceOf(Date);
      expect(job.createdAt.getTime()).to.be.within(before - EARLY_START_SLACK_MS, after + EARLY_START_SLACK_MS);
      expect(job.runAt).to.be.instanceOf(Date);
      expect(job.runAt!.getTime()).to.be.within(
        before + 60_000 - EARLY_START_SLACK_MS,
        after + 60_000 + EARLY_START_SLACK_MS,
      );
      expect(job.finishedAt).to.equal(null);
      expect(job.failedReason).to.equal(undefined);
      expect(job.backoff).to.deep.equal(backoff);
      expect(job.timeoutMs).to.equal(2500);
      expect(job.repeat).to.equal(undefined);
    });

    it("reports the defaults: priority 5 and the provider's defaultAttempts", async () => {
      const provider = await fixture.connectedProvider();
      const id = await provider.scheduleJob('report', null);

      const job = await existingJob(provider, id);
      expect(job.priority).to.equal(5);
      expect(job.maxAttempts).to.equal(CONTRACT_PROVIDER_OPTIONS.defaultAttempts);
      expect(job.data).to.equal(null);
    });

    it('reports the repeat of a repeating job', async () => {
      const provider = await fixture.connectedProvider();
      const cron = await provider.scheduleJob('digest', {}, { repeat: { cron: '0 8 * * *', tz: 'Europe/Paris' } });
      const every = await provider.scheduleJob('heartbeat', {}, { repeat: { everyMs: 3_600_000 } });

      expect((await existingJob(provider, cron)).repeat).to.deep.equal({ cron: '0 8 * * *', tz: 'Europe/Paris' });
      const heartbeat = await existingJob(provider, every);
      expect(heartbeat.repeat).to.deep.equal({ everyMs: 3_600_000 });
      expect(heartbeat.state).to.equal('scheduled');
    });
  });

  describe('listJobs', () => {
    it('returns every job, ordered by createdAt, then id', async () => {
      const provider = await fixture.connectedProvider();
      const ids: string[] = [];
      for (let i = 0; i < 6; i += 1) ids.push(await provider.scheduleJob(i % 2 === 0 ? 'even' : 'odd', { i }));

      const jobs = await provider.listJobs();
      expect(jobs.map((job) => job.id)).to.have.members(ids);
      expect(jobs.map((job) => job.id)).to.deep.equal([...jobs].sort(compareByCreation).map((job) => job.id));
    });

    it('filters by names', async () => {
      const { provider, ids } = await jobsInEveryState(fixture);

      expect(await listedIds(provider, { names: ['alpha'] })).to.have.members([ids.completed, ids.failed]);
      expect(await listedIds(provider, { names: ['beta'] })).to.have.members([ids.scheduled, ids.waiting]);
      expect(await listedIds(provider, { names: ['alpha', 'beta'] })).to.have.lengthOf(4);
      expect(await listedIds(provider, { names: ['nobody'] })).to.deep.equal([]);
    });

    it('filters by states', async () => {
      const { provider, ids } = await jobsInEveryState(fixture);

      expect(await listedIds(provider, { states: ['scheduled'] })).to.deep.equal([ids.scheduled]);
      expect(await listedIds(provider, { states: ['waiting'] })).to.deep.equal([ids.waiting]);
      expect(await listedIds(provider, { states: ['completed'] })).to.deep.equal([ids.completed]);
      expect(await listedIds(provider, { states: ['failed'] })).to.deep.equal([ids.failed]);
      expect(await listedIds(provider, { states: ['completed', 'failed'] })).to.have.members([
        ids.completed,
        ids.failed,
      ]);
      expect(await listedIds(provider, { states: ['active'] })).to.deep.equal([]);
    });

    it('combines name and state filters', async () => {
      const { provider, ids } = await jobsInEveryState(fixture);

      expect(await listedIds(provider, { names: ['beta'], states: ['waiting', 'failed'] })).to.deep.equal([
        ids.waiting,
      ]);
      expect(await listedIds(provider, { names: ['alpha'], states: ['scheduled'] })).to.deep.equal([]);
    });

    it('pages with limit and offset: disjoint pages that together are everything, in order', async () => {
      const provider = await fixture.connectedProvider();
      for (let i = 0; i < 7; i += 1) await provider.scheduleJob('paged', { i });
      const everything = await listedIds(provider);

      const pages = [
        await listedIds(provider, { limit: 3, offset: 0 }),
        await listedIds(provider, { limit: 3, offset: 3 }),
        await listedIds(provider, { limit: 3, offset: 6 }),
      ];
      expect(pages.map((page) => page.length)).to.deep.equal([3, 3, 1]);
      expect(pages.flat()).to.deep.equal(everything);
      expect(new Set(pages.flat()).size).to.equal(7);
    });

    it('returns an empty page past the end', async () => {
      const provider = await fixture.connectedProvider();
      await provider.scheduleJob('paged', {});
      expect(await provider.listJobs({ offset: 5 })).to.deep.equal([]);
    });

    const badQueries: { title: string; query: ListJobsQuery; field: string }[] = [
      { title: 'limit 0', query: { limit: 0 }, field: 'limit' },
      { title: 'a fractional limit', query: { limit: 2.5 }, field: 'limit' },
      { title: 'a limit over 1000', query: { limit: 1001 }, field: 'limit' },
      { title: 'a negative offset', query: { offset: -1 }, field: 'offset' },
      { title: 'an unknown state', query: { states: ['finished' as JobState] }, field: 'states' },
    ];
    for (const { title, query, field } of badQueries) {
      it(`rejects ${title} with a ValidationError on '${field}'`, async () => {
        const provider = await fixture.connectedProvider();
        const error = await rejectionOf(() => provider.listJobs(query));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal(field);
      });
    }
  });
}
