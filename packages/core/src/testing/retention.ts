import { expect } from 'chai';
import { ValidationError } from '../errors.js';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '../job-snapshot.js';
import type { QueueProvider } from '../queue-provider.js';
import type { ScheduleOptions } from '../schedule-options.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';
import { rejectionOf } from './rejection.js';
import { waitFor } from './waiting.js';

const NAME = 'retained';

interface Retention {
  provider: QueueProvider;
  events: EventRecorder;
  /** Schedules a job and waits for it to finish; the next one finishes in a later millisecond. */
  finish: (options?: ScheduleOptions & { fail?: boolean }) => Promise<string>;
}

/** A started provider whose 'retained' jobs fail when their data says so, and 'other' jobs of another name. */
async function retention(fixture: ContractFixture, common = {}): Promise<Retention> {
  const processor = recordingProcessor<{ fail?: boolean }>(NAME, (job) => {
    if (job.data.fail === true) throw new Error('asked to fail');
    return 'done';
  });
  const provider = await fixture.startedProvider([processor, recordingProcessor('other')], {}, common);
  const events = new EventRecorder(provider);
  let lastFinishedAt = 0;
  const finish = async ({ fail = false, ...options }: ScheduleOptions & { fail?: boolean } = {}) => {
    // Finish times decide which jobs are the newest: no two may share a millisecond.
    await waitFor(() => Date.now() > lastFinishedAt, { timeoutMs: 1000, intervalMs: 1, message: 'the clock' });
    const id = await provider.scheduleJob(NAME, { fail }, { attempts: 1, ...options });
    if (fail) await events.failure(id, fixture.deadline());
    else await events.completion(id, fixture.deadline());
    lastFinishedAt = Date.now();
    return id;
  };
  return { provider, events, finish };
}

/** Waits until each id is gone (a provider may remove within a bounded delay after the event), then checks the rest stay. */
async function expectRemovedAndKept(
  fixture: ContractFixture,
  provider: QueueProvider,
  removed: string[],
  kept: string[],
): Promise<void> {
  for (const id of removed) {
    await waitFor(async () => (await provider.getJob(id)) === null, {
      timeoutMs: fixture.deadline(),
      message: `job ${id} to be removed`,
    });
  }
  for (const id of kept) expect((await existingJob(provider, id)).id).to.equal(id);
}

const BAD_RETENTION: { option: 'removeOnComplete' | 'removeOnFail'; value: unknown; field: string }[] = [
  { option: 'removeOnComplete', value: -1, field: 'removeOnComplete' },
  { option: 'removeOnComplete', value: 1.5, field: 'removeOnComplete' },
  { option: 'removeOnComplete', value: 'yes', field: 'removeOnComplete' },
  { option: 'removeOnComplete', value: null, field: 'removeOnComplete' },
  { option: 'removeOnComplete', value: {}, field: 'removeOnComplete' },
  { option: 'removeOnComplete', value: { ageMs: 0 }, field: 'removeOnComplete.ageMs' },
  { option: 'removeOnComplete', value: { count: -1 }, field: 'removeOnComplete.count' },
  { option: 'removeOnComplete', value: { age: 60 }, field: 'removeOnComplete.age' },
  { option: 'removeOnFail', value: Number.NaN, field: 'removeOnFail' },
  { option: 'removeOnFail', value: [], field: 'removeOnFail' },
  { option: 'removeOnFail', value: { count: 2.5 }, field: 'removeOnFail.count' },
  { option: 'removeOnFail', value: { ageMs: Number.POSITIVE_INFINITY }, field: 'removeOnFail.ageMs' },
];

/** `removeOnComplete` / `removeOnFail` in every form, and the provider-wide defaults. */
export function describeRetention(fixture: ContractFixture): void {
  describe('retention (removeOnComplete, removeOnFail)', () => {
    it('removeOnComplete true forgets a job as soon as it completes, after emitting completed with its result', async () => {
      const { provider, events, finish } = await retention(fixture);
      const kept = await finish();
      const id = await finish({ removeOnComplete: true });

      expect(events.completedOf(id)[0]!.result).to.equal('done');
      await expectRemovedAndKept(fixture, provider, [id], [kept]);
      expect((await provider.listJobs()).map((job) => job.id)).to.deep.equal([kept]);
    });

    it('removeOnComplete N keeps the newest N completed jobs of the name, and no other name is touched', async () => {
      const { provider, events, finish } = await retention(fixture);
      const other = await provider.scheduleJob('other', {});
      await events.completion(other, fixture.deadline());
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) ids.push(await finish({ removeOnComplete: 2 }));

      await expectRemovedAndKept(fixture, provider, ids.slice(0, 3), [...ids.slice(3), other]);
      expect(await provider.getStats(NAME)).to.include({ completed: 2 });
    });

    it("a job's count also trims completed jobs that were kept by their own options", async () => {
      const { provider, finish } = await retention(fixture);
      const old = [await finish(), await finish()];
      const newest = await finish({ removeOnComplete: { count: 1 } });

      await expectRemovedAndKept(fixture, provider, old, [newest]);
    });

    it('removeOnComplete { ageMs } removes completed jobs older than ageMs when a later one completes', async () => {
      // A second: long enough apart that the older job is past ageMs and the newer is not.
      const options = { removeOnComplete: { ageMs: 1000 } };
      const { provider, finish } = await retention(fixture);
      const old = await finish(options);
      const oldFinishedAt = (await existingJob(provider, old)).finishedAt!.getTime();
      // Let the first job age past ageMs (a wait on the clock, not on an outcome).
      await waitFor(() => Date.now() - oldFinishedAt > 1000, { timeoutMs: 3000, intervalMs: 10, message: 'the age' });
      const recent = await finish(options);

      await expectRemovedAndKept(fixture, provider, [old], [recent]);
    });

    it('removeOnComplete { ageMs, count } applies both bounds', async () => {
      const { provider, finish } = await retention(fixture);
      const options = { removeOnComplete: { ageMs: 3_600_000, count: 2 } };
      const ids = [await finish(options), await finish(options), await finish(options)];

      await expectRemovedAndKept(fixture, provider, [ids[0]!], ids.slice(1));
    });

    it('removeOnFail true forgets a job when its last attempt fails, not while it retries', async () => {
      const { provider, events, finish } = await retention(fixture);
      const id = await finish({ fail: true, attempts: 2, removeOnFail: true });

      expect(events.retryingOf(id)).to.have.lengthOf(1);
      expect(events.failedOf(id)).to.have.lengthOf(1);
      await expectRemovedAndKept(fixture, provider, [id], []);
    });

    it('removeOnFail N keeps the newest N failed jobs, which can still be retried', async () => {
      const { provider, events, finish } = await retention(fixture);
      const completed = await finish({ removeOnFail: 1 });
      const failed = [await finish({ fail: true, removeOnFail: 1 }), await finish({ fail: true, removeOnFail: 1 })];

      await expectRemovedAndKept(fixture, provider, [failed[0]!], [failed[1]!, completed]);
      expect(await provider.retryJob(failed[1]!)).to.equal(true);
      await waitFor(() => events.failedOf(failed[1]!).length === 2, {
        timeoutMs: fixture.deadline(),
        message: 'the retried job to fail again',
      });
    });

    it('removeOnComplete does not remove failed jobs, nor removeOnFail completed ones', async () => {
      const { provider, finish } = await retention(fixture);
      const failed = await finish({ fail: true, removeOnComplete: true });
      const completed = await finish({ removeOnFail: true });

      expect((await existingJob(provider, failed)).state).to.equal('failed');
      expect((await existingJob(provider, completed)).state).to.equal('completed');
    });

    it("applies the provider's defaultRemoveOnComplete and defaultRemoveOnFail when a job gives none, and a job's own option over them", async () => {
      const { provider, finish } = await retention(fixture, { defaultRemoveOnComplete: true, defaultRemoveOnFail: 1 });
      const completed = await finish();
      const kept = await finish({ removeOnComplete: false });
      const failed = [await finish({ fail: true }), await finish({ fail: true })];

      await expectRemovedAndKept(fixture, provider, [completed, failed[0]!], [kept, failed[1]!]);
    });

    it('refuses a bad defaultRemoveOnComplete or defaultRemoveOnFail when the provider is built', async () => {
      for (const setting of ['defaultRemoveOnComplete', 'defaultRemoveOnFail']) {
        const error = await rejectionOf(() => fixture.newProvider({ [setting]: -1 }));
        expect(error, setting).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal(setting);
      }
    });

    for (const bad of BAD_RETENTION) {
      it(`refuses ${bad.option}: ${JSON.stringify(bad.value) ?? String(bad.value)}: ValidationError on '${bad.field}', nothing stored`, async () => {
        const provider = await fixture.connectedProvider();
        const error = await rejectionOf(() => provider.scheduleJob(NAME, {}, { [bad.option]: bad.value }));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal(bad.field);
        expect(await provider.listJobs()).to.deep.equal([]);
      });
    }

    it("exports a job's retention in its snapshot and imports it back unchanged", async () => {
      const provider = await fixture.connectedProvider();
      const forms: Pick<ScheduleOptions, 'removeOnComplete' | 'removeOnFail'>[] = [
        { removeOnComplete: true, removeOnFail: 50 },
        { removeOnComplete: 1000 },
        { removeOnComplete: { ageMs: 86_400_000, count: 1000 }, removeOnFail: { ageMs: 604_800_000 } },
        {},
      ];
      const ids: string[] = [];
      for (const form of forms) ids.push(await provider.scheduleJob(NAME, {}, { delayMs: 3_600_000, ...form }));
      const exported = await exportedById(provider);
      forms.forEach((form, index) => {
        const snapshot = exported.get(ids[index]!)!;
        expect(snapshot.removeOnComplete, `job ${index}`).to.deep.equal(form.removeOnComplete);
        expect(snapshot.removeOnFail, `job ${index}`).to.deep.equal(form.removeOnFail);
      });

      const target = await fixture.connectedProvider();
      const report = await target.importJobs(
        [...exported.values()].map((snapshot) => JSON.parse(JSON.stringify(snapshot)) as JobSnapshot),
      );
      expect(report.errors).to.deep.equal([]);
      expect(await exportedById(target)).to.deep.equal(exported);
    });

    it('imports a version 1 snapshot, whose removeOnComplete is true, as the same job', async () => {
      const provider = await fixture.connectedProvider();
      const version1 = {
        schemaVersion: 1,
        id: 'from-version-1',
        name: NAME,
        data: { from: 1 },
        state: 'scheduled',
        runAt: new Date(Date.now() + 3_600_000).toISOString(),
        priority: 5,
        attempts: 2,
        attemptsMade: 0,
        backoff: null,
        timeoutMs: null,
        repeat: null,
        createdAt: new Date().toISOString(),
        removeOnComplete: true,
      };
      const report = await provider.importJobs([version1 as unknown as JobSnapshot]);

      expect(report.imported).to.deep.equal(['from-version-1']);
      const snapshot = (await exportedById(provider)).get('from-version-1')!;
      expect(snapshot).to.deep.include({ ...version1, schemaVersion: SNAPSHOT_SCHEMA_VERSION });
      expect(snapshot).not.to.have.property('removeOnFail');
    });
  });
}

async function exportedById(provider: QueueProvider): Promise<Map<string, JobSnapshot>> {
  const snapshots = new Map<string, JobSnapshot>();
  for await (const snapshot of provider.exportJobs()) snapshots.set(snapshot.id, snapshot);
  return snapshots;
}
