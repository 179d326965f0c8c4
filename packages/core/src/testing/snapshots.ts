import { expect } from 'chai';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '../job-snapshot.js';
import { validateSnapshot } from '../job-snapshot-codec.js';
import type { ExportQuery, QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import { recordingProcessor } from './recording-processor.js';

/** Every field of a snapshot; a round trip must keep each one. */
const SNAPSHOT_FIELDS = [
  'schemaVersion',
  'id',
  'name',
  'data',
  'state',
  'runAt',
  'priority',
  'attempts',
  'attemptsMade',
  'backoff',
  'timeoutMs',
  'repeat',
  'createdAt',
  'failedReason',
  'removeOnComplete',
] as const satisfies readonly (keyof JobSnapshot)[];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function exportedSnapshot(provider: QueueProvider, id: string, query?: ExportQuery): Promise<JobSnapshot> {
  const snapshot = (await collect(provider.exportJobs(query))).find((candidate) => candidate.id === id);
  if (snapshot === undefined) throw new Error(`exportJobs did not include job ${id}`);
  return snapshot;
}

function expectSameSnapshot(actual: JobSnapshot, expected: JobSnapshot): void {
  for (const field of SNAPSHOT_FIELDS) {
    expect(actual[field], `snapshot field '${field}' of job ${expected.id}`).to.deep.equal(expected[field]);
  }
}

/** The same provider kind, fresh and empty, as the target of a migration. */
type TargetFactory = () => Promise<QueueProvider>;

/**
 * Exports job `id` from `source`, imports it into a fresh provider through JSON (as a
 * file would carry it), exports it there again and checks that nothing changed.
 */
async function expectRoundTrip(source: QueueProvider, id: string, makeTarget: TargetFactory): Promise<QueueProvider> {
  const exported = await exportedSnapshot(source, id);
  const target = await makeTarget();
  const report = await target.importJobs([JSON.parse(JSON.stringify(exported)) as JobSnapshot]);
  expect(report).to.deep.equal({ imported: [id], skipped: [], replaced: [], errors: [] });
  expectSameSnapshot(await exportedSnapshot(target, id), exported);
  return target;
}

/** `exportJobs` / `importJobs`: the portable snapshot, and what import does with ids it already has. */
export function describeSnapshots(fixture: ContractFixture): void {
  const freshTarget: TargetFactory = () => fixture.connectedProvider();

  describe('export and import', () => {
    it('round-trips a scheduled job with every snapshot field', async () => {
      const source = await fixture.connectedProvider();
      const data = { booking: { id: 'b-1', nights: 3 }, guests: ['Ada', 'Grace'], vip: true, note: null };
      const backoff = { type: 'exponential', delayMs: 100, maxDelayMs: 1000, jitter: 0.5 } as const;
      const id = await source.scheduleJob('booking-reminder', data, {
        delayMs: 60_000,
        priority: 2,
        attempts: 4,
        backoff,
        timeoutMs: 5000,
        removeOnComplete: true,
      });

      const job = await existingJob(source, id);
      const exported = await exportedSnapshot(source, id);
      expect(exported).to.deep.include({
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        id,
        name: 'booking-reminder',
        data,
        state: 'scheduled',
        runAt: job.runAt!.toISOString(),
        priority: 2,
        attempts: 4,
        attemptsMade: 0,
        backoff,
        timeoutMs: 5000,
        repeat: null,
        createdAt: job.createdAt.toISOString(),
        removeOnComplete: true,
      });
      const target = await expectRoundTrip(source, id, freshTarget);
      const imported = await existingJob(target, id);
      expect(imported.state).to.equal('scheduled');
      expect(imported.runAt?.toISOString()).to.equal(job.runAt!.toISOString());
      expect(imported.createdAt.toISOString()).to.equal(job.createdAt.toISOString());
    });

    it('round-trips a waiting job', async () => {
      const source = await fixture.connectedProvider();
      const id = await source.scheduleJob('invoice', { n: 7 }, { priority: 9, attempts: 1 });

      const exported = await exportedSnapshot(source, id);
      expect(exported).to.deep.include({
        state: 'waiting',
        priority: 9,
        attempts: 1,
        attemptsMade: 0,
        backoff: null,
        timeoutMs: null,
      });
      const target = await expectRoundTrip(source, id, freshTarget);
      expect((await existingJob(target, id)).state).to.equal('waiting');
    });

    it('round-trips a failed job with its failedReason and attemptsMade', async () => {
      const processor = recordingProcessor('charge', () => {
        throw new Error('card declined');
      });
      const source = await fixture.startedProvider([processor]);
      const events = new EventRecorder(source);
      const id = await source.scheduleJob(
        'charge',
        { amount: 5 },
        { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
      );
      await events.failure(id, fixture.deadline(10));

      const exported = await exportedSnapshot(source, id);
      expect(exported).to.deep.include({ state: 'failed', attempts: 2, attemptsMade: 2, runAt: null });
      expect(exported.failedReason).to.be.a('string').that.include('card declined');
      const target = await expectRoundTrip(source, id, freshTarget);
      const imported = await existingJob(target, id);
      expect(imported.state).to.equal('failed');
      expect(imported.attemptsMade).to.equal(2);
      expect(imported.failedReason).to.include('card declined');
    });

    it('round-trips a job repeating everyMs', async () => {
      const source = await fixture.connectedProvider();
      const id = await source.scheduleJob('heartbeat', { host: 'a' }, { repeat: { everyMs: 3_600_000 }, priority: 4 });

      const exported = await exportedSnapshot(source, id);
      expect(exported).to.deep.include({ state: 'scheduled', repeat: { everyMs: 3_600_000 } });
      expect(exported.runAt).to.be.a('string');
      const target = await expectRoundTrip(source, id, freshTarget);
      expect((await existingJob(target, id)).repeat).to.deep.equal({ everyMs: 3_600_000 });
    });

    it('round-trips a cron job with its time zone', async () => {
      const source = await fixture.connectedProvider();
      const repeat = { cron: '0 9 * * 1-5', tz: 'Asia/Tokyo' };
      const id = await source.scheduleJob('standup', {}, { repeat });

      const exported = await exportedSnapshot(source, id);
      expect(exported).to.deep.include({ state: 'scheduled', repeat });
      const target = await expectRoundTrip(source, id, freshTarget);
      const imported = await existingJob(target, id);
      expect(imported.repeat).to.deep.equal(repeat);
      expect(imported.runAt?.toISOString()).to.equal(exported.runAt);
    });

    it('exports valid, plain-JSON snapshots of the current schemaVersion', async () => {
      const source = await fixture.connectedProvider();
      await source.scheduleJob('a', { x: 1 });
      await source.scheduleJob('b', [1, 2], { delayMs: 60_000, backoff: { type: 'fixed', delayMs: 5 } });
      await source.scheduleJob('c', 'text', { repeat: { cron: '*/5 * * * *' } });

      const snapshots = await collect(source.exportJobs());
      expect(snapshots).to.have.lengthOf(3);
      for (const snapshot of snapshots) {
        expect(snapshot.schemaVersion).to.equal(SNAPSHOT_SCHEMA_VERSION);
        expect(() => validateSnapshot(snapshot)).not.to.throw();
        expect(JSON.parse(JSON.stringify(snapshot))).to.deep.equal(snapshot);
      }
    });

    it('filters exportJobs by names and states', async () => {
      const source = await fixture.connectedProvider();
      const mailNow = await source.scheduleJob('mail', {});
      const mailLater = await source.scheduleJob('mail', {}, { delayMs: 60_000 });
      const smsNow = await source.scheduleJob('sms', {});
      const smsLater = await source.scheduleJob('sms', {}, { delayMs: 60_000 });
      const ids = async (query: ExportQuery): Promise<string[]> =>
        (await collect(source.exportJobs(query))).map((snapshot) => snapshot.id);

      expect(await ids({ names: ['mail'] })).to.have.members([mailNow, mailLater]);
      expect(await ids({ states: ['scheduled'] })).to.have.members([mailLater, smsLater]);
      expect(await ids({ names: ['sms'], states: ['waiting'] })).to.deep.equal([smsNow]);
      expect(await ids({})).to.have.lengthOf(4);
    });

    it('skips a snapshot whose id exists, by default, and reports it', async () => {
      const source = await fixture.connectedProvider();
      await source.scheduleJob('invoice', { from: 'source' }, { jobId: 'inv-1' });
      const fresh = await source.scheduleJob('invoice', { from: 'source' }, { jobId: 'inv-2' });
      const target = await fixture.connectedProvider();
      await target.scheduleJob('invoice', { from: 'target' }, { jobId: 'inv-1' });

      const report = await target.importJobs(await collect(source.exportJobs()));
      expect(report).to.deep.equal({ imported: [fresh], skipped: ['inv-1'], replaced: [], errors: [] });
      expect((await existingJob(target, 'inv-1')).data).to.deep.equal({ from: 'target' });
      expect(await target.listJobs()).to.have.lengthOf(2);
    });

    it("replaces a job whose id exists with onExisting: 'replace'", async () => {
      const source = await fixture.connectedProvider();
      await source.scheduleJob('invoice', { from: 'source' }, { jobId: 'inv-1', priority: 2 });
      const target = await fixture.connectedProvider();
      await target.scheduleJob('invoice', { from: 'target' }, { jobId: 'inv-1', delayMs: 60_000 });

      const report = await target.importJobs(await collect(source.exportJobs()), { onExisting: 'replace' });
      expect(report).to.deep.equal({ imported: [], skipped: [], replaced: ['inv-1'], errors: [] });
      const job = await existingJob(target, 'inv-1');
      expect(job.data).to.deep.equal({ from: 'source' });
      expect(job.priority).to.equal(2);
      expect(job.state).to.equal('waiting');
      expect(await target.listJobs()).to.have.lengthOf(1);
    });

    it('imports straight from another provider’s export stream, and the imported jobs run', async () => {
      const source = await fixture.connectedProvider();
      const ids = [
        await source.scheduleJob('migrate', { n: 1 }),
        await source.scheduleJob('migrate', { n: 2 }),
        await source.scheduleJob('migrate', { n: 3 }, { delayMs: 50 }),
      ];
      const processor = recordingProcessor('migrate', (job) => job.data);
      const target = await fixture.startedProvider([processor]);
      const events = new EventRecorder(target);

      const report = await target.importJobs(source.exportJobs());
      expect(report.imported).to.have.members(ids);
      for (const [index, id] of ids.entries()) {
        const completed = await events.completion(id, fixture.deadline(50));
        expect(completed.result).to.deep.equal({ n: index + 1 });
      }
    });

    it('reports an invalid snapshot in errors, stores nothing for it, and imports the rest', async () => {
      const source = await fixture.connectedProvider();
      const good = await source.scheduleJob('invoice', {}, { jobId: 'good' });
      const [snapshot] = await collect(source.exportJobs());
      const bad: JobSnapshot = { ...snapshot!, id: 'bad', priority: 0 };
      const target = await fixture.connectedProvider();

      const report = await target.importJobs([bad, snapshot!]);
      expect(report.imported).to.deep.equal([good]);
      expect(report.errors.map((error) => error.id)).to.deep.equal(['bad']);
      expect(report.errors[0]!.reason).to.be.a('string').that.include('priority');
      expect(await target.getJob('bad')).to.equal(null);
    });
  });
}
