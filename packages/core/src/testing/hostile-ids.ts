import { expect } from 'chai';
import { ValidationError } from '../errors.js';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '../job-snapshot.js';
import type { QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { existingJob } from './existing-job.js';
import {
  BULL_KEY_NAME_IDS,
  KEY_SHAPED_IDS,
  LONGEST_JOB_ID,
  LONGEST_JOB_NAME,
  LOOK_ALIKE_ID_PAIRS,
  ODD_BUT_VALID_NAMES,
  REFUSED_IDS,
  REFUSED_NAMES,
} from './hostile-identifiers.js';
import { recordingProcessor } from './recording-processor.js';
import { rejectionOf } from './rejection.js';

const HOUR_MS = 3_600_000;

/** Every id in `ids` is a job of `name` with the data `{ id }`, and listed under its own id. */
async function expectStoredAsGiven(provider: QueueProvider, name: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const job = await existingJob(provider, id);
    expect({ id: job.id, name: job.name, data: job.data }).to.deep.equal({ id, name, data: { id } }, `getJob('${id}')`);
  }
  const listed = await provider.listJobs({ names: [name], limit: 1000 });
  expect(listed.map((job) => job.id).sort()).to.deep.equal([...ids].sort());
}

/**
 * Hostile ids and names (see `hostile-identifiers.ts`): each one works as any other
 * id or name, or is refused with `ValidationError`, the same on every provider.
 */
export function describeHostileIds(fixture: ContractFixture): void {
  describe('hostile ids and names', () => {
    const keyLikeIds = [...BULL_KEY_NAME_IDS, ...KEY_SHAPED_IDS];

    it("stores ids that are a backend's own key names or shaped like its keys as ordinary jobs, and cancels them", async () => {
      const provider = await fixture.connectedProvider();
      for (const id of keyLikeIds) {
        expect(await provider.scheduleJob('hostile', { id }, { jobId: id, delayMs: HOUR_MS })).to.equal(id);
      }
      await expectStoredAsGiven(provider, 'hostile', keyLikeIds);
      expect((await provider.getStats('hostile')).scheduled).to.equal(keyLikeIds.length);
      // Scheduling each again is the no-op the contract promises, not a second job.
      for (const id of keyLikeIds) await provider.scheduleJob('hostile', { other: true }, { jobId: id });
      await expectStoredAsGiven(provider, 'hostile', keyLikeIds);
      for (const id of keyLikeIds) expect(await provider.cancelJob(id)).to.equal(true, `cancelJob('${id}')`);
      expect(await provider.listJobs()).to.deep.equal([]);
    });

    it('runs jobs with such ids, and the name keeps working and stays unpaused after them', async () => {
      const processor = recordingProcessor<{ id: string }>('hostile');
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      for (const id of keyLikeIds) await provider.scheduleJob('hostile', { id }, { jobId: id });
      for (const id of keyLikeIds) {
        const completed = await events.completion(id, fixture.deadline());
        expect(completed.job.data).to.deep.equal({ id });
      }
      expect(processor.attempts.map((attempt) => attempt.job.id).sort()).to.deep.equal([...keyLikeIds].sort());
      const after = await provider.scheduleJob('hostile', { id: 'after' });
      await events.completion(after, fixture.deadline());
      const stats = await provider.getStats('hostile');
      expect(stats).to.deep.include({ completed: keyLikeIds.length + 1, waiting: 0, active: 0, paused: false });
    });

    it("keeps a failed job with such an id retryable, and finds it by the caller's id", async () => {
      const provider = await fixture.startedProvider([
        recordingProcessor('hostile', () => {
          throw new Error('no');
        }),
      ]);
      const events = new EventRecorder(provider);
      for (const id of ['failed', 'x:lock', '42']) {
        await provider.scheduleJob('hostile', { id }, { jobId: id, attempts: 1 });
        await events.failure(id, fixture.deadline());
        expect(await existingJob(provider, id)).to.deep.include({ id, state: 'failed' });
        expect(await provider.retryJob(id)).to.equal(true, `retryJob('${id}')`);
      }
    });

    it("refuses a name with ':' rather than let ('x', id 'y:1') and ('x:y', id '1') share one key", async () => {
      const provider = await fixture.connectedProvider();
      await provider.scheduleJob('x', { first: true }, { jobId: 'y:1', delayMs: HOUR_MS });
      const error = await rejectionOf(() =>
        provider.scheduleJob('x:y', { second: true }, { jobId: '1', delayMs: HOUR_MS }),
      );
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).field).to.equal('name');
      expect((await existingJob(provider, 'y:1')).data).to.deep.equal({ first: true });
      expect(await provider.getJob('1')).to.equal(null);
    });

    it('keeps ids that differ only in case or Unicode normalisation apart', async () => {
      const provider = await fixture.connectedProvider();
      const ids = LOOK_ALIKE_ID_PAIRS.flat();
      for (const id of ids) await provider.scheduleJob('look-alike', { id }, { jobId: id, delayMs: HOUR_MS });
      await expectStoredAsGiven(provider, 'look-alike', ids);
      const [first, second] = LOOK_ALIKE_ID_PAIRS[0]!;
      expect(await provider.cancelJob(first)).to.equal(true);
      expect((await existingJob(provider, second)).data).to.deep.equal({ id: second });
    });

    it('takes names with / and names that are backend key names; names differing in case are two queues', async () => {
      const provider = await fixture.connectedProvider();
      for (const name of ODD_BUT_VALID_NAMES) {
        await provider.scheduleJob(name, { name }, { jobId: `job-of-${name}`, delayMs: HOUR_MS });
      }
      for (const name of ODD_BUT_VALID_NAMES) {
        expect((await provider.getStats(name)).scheduled).to.equal(1, `getStats('${name}')`);
        const [job] = await provider.listJobs({ names: [name] });
        expect(job).to.deep.include({ id: `job-of-${name}`, name, data: { name } });
      }
    });

    it('takes the longest accepted id and name, with multi-byte characters, and runs the job', async () => {
      const processor = recordingProcessor(LONGEST_JOB_NAME);
      const provider = await fixture.startedProvider([processor]);
      const events = new EventRecorder(provider);
      expect(await provider.scheduleJob(LONGEST_JOB_NAME, { long: true }, { jobId: LONGEST_JOB_ID })).to.equal(
        LONGEST_JOB_ID,
      );
      await events.completion(LONGEST_JOB_ID, fixture.deadline());
      expect(await existingJob(provider, LONGEST_JOB_ID)).to.deep.include({
        id: LONGEST_JOB_ID,
        name: LONGEST_JOB_NAME,
        state: 'completed',
      });
    });

    for (const { name, why } of REFUSED_NAMES) {
      it(`refuses a name with ${why}: ValidationError on 'name', nothing stored`, async () => {
        const provider = await fixture.connectedProvider();
        const error = await rejectionOf(() => provider.scheduleJob(name, {}));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal('name');
        expect(await provider.listJobs()).to.deep.equal([]);
      });
    }

    for (const { id, why } of REFUSED_IDS) {
      it(`refuses an id with ${why}: ValidationError on 'jobId', nothing stored`, async () => {
        const provider = await fixture.connectedProvider();
        const error = await rejectionOf(() => provider.scheduleJob('hostile', {}, { jobId: id }));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal('jobId');
        expect(await provider.listJobs()).to.deep.equal([]);
      });
    }

    it('imports snapshots with such ids as they are, and exports them unchanged', async () => {
      const provider = await fixture.connectedProvider();
      const createdAt = new Date(Date.now() - 1000).toISOString();
      const runAt = new Date(Date.now() + HOUR_MS).toISOString();
      const ids = [...keyLikeIds, LONGEST_JOB_ID];
      const snapshots: JobSnapshot[] = ids.map((id) => ({
        schemaVersion: SNAPSHOT_SCHEMA_VERSION,
        id,
        name: 'imported',
        data: { id },
        state: 'scheduled',
        runAt,
        priority: 5,
        attempts: 3,
        attemptsMade: 0,
        backoff: null,
        timeoutMs: null,
        repeat: null,
        createdAt,
      }));
      const report = await provider.importJobs(snapshots);
      expect(report.errors).to.deep.equal([]);
      expect(report.imported).to.have.lengthOf(ids.length);
      await expectStoredAsGiven(provider, 'imported', ids);
      const exported: string[] = [];
      for await (const snapshot of provider.exportJobs({ names: ['imported'] })) exported.push(snapshot.id);
      expect(exported.sort()).to.deep.equal([...ids].sort());
      // Importing them again finds every one as existing.
      expect((await provider.importJobs(snapshots)).skipped).to.have.lengthOf(ids.length);
    });

    it('answers reads of a name nobody used with nothing, and keeps not knowing it', async () => {
      const provider = await fixture.connectedProvider();
      for (let index = 0; index < 20; index += 1) {
        const name = `never-used-${index}`;
        expect(await provider.listJobs({ names: [name] })).to.deep.equal([]);
        expect(await provider.getStats(name)).to.deep.include({
          scheduled: 0,
          waiting: 0,
          active: 0,
          completed: 0,
          failed: 0,
        });
        const exported: JobSnapshot[] = [];
        for await (const snapshot of provider.exportJobs({ names: [name] })) exported.push(snapshot);
        expect(exported).to.deep.equal([]);
      }
      expect(await provider.listJobs()).to.deep.equal([]);
    });

    it('finds nothing for a lookup by a key-shaped id that no job has', async () => {
      const provider = await fixture.connectedProvider();
      await provider.scheduleJob('hostile', {}, { jobId: 'real', delayMs: HOUR_MS });
      for (const id of keyLikeIds) {
        expect(await provider.getJob(id)).to.equal(null, `getJob('${id}')`);
        expect(await provider.cancelJob(id)).to.equal(false, `cancelJob('${id}')`);
        expect(await provider.retryJob(id)).to.equal(false, `retryJob('${id}')`);
      }
      expect((await provider.getStats('hostile')).scheduled).to.equal(1);
      expect((await existingJob(provider, 'real')).state).to.equal('scheduled');
    });
  });
}
