import { expect } from 'chai';
import { Redis } from 'ioredis';
import { migrateJobs, type JobSnapshot, type QueueProvider } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { startOwnRedis, type RedisServer } from '../support/start-redis.js';
import { migrationFixtures } from '../support/migration-fixtures.js';
import { providerFixtures, type ProviderFixture } from '../support/provider-fixtures.js';
import { exportById, seedMixedJobs, type MixedJobCounts } from '../support/mixed-jobs.js';

const MIX: MixedJobCounts = { delayed: 4200, waiting: 500, failed: 200, repeating: 100 };
const TOTAL = MIX.delayed + MIX.waiting + MIX.failed + MIX.repeating;

/** The fields that must survive the trip; `failedReason` too, for failed jobs. */
function comparable(snapshot: JobSnapshot): unknown {
  return { ...snapshot, removeOnComplete: snapshot.removeOnComplete ?? false };
}

function pairs(): [ProviderFixture, ProviderFixture][] {
  const fixtures = migrationFixtures();
  const memory = fixtures.find((f) => f.name === 'memory')!;
  const others = fixtures.filter((f) => f.name !== 'memory');
  // memory -> memory would only repeat what the safety tests below show at small scale.
  const result: [ProviderFixture, ProviderFixture][] = [];
  for (const other of others) result.push([memory, other], [other, memory]);
  for (const a of others) for (const b of others) if (a !== b) result.push([a, b]);
  return result;
}

/**
 * `SWITCHYARD_MATRIX_SHARD=k/n` runs the k-th of n shares of the pairs (every n-th pair,
 * so each share gets its part of the slow Agenda pairs), and the small tests below only
 * in share 1; unset, this file runs everything. `scripts/run-tests.ts` runs the shares in
 * processes side by side, so that no single one of them is left running alone at the end.
 */
function shard(): { index: number; count: number } {
  const setting = process.env.SWITCHYARD_MATRIX_SHARD;
  if (setting === undefined || setting === '') return { index: 0, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(setting);
  const [index, count] = match === null ? [0, 0] : [Number(match[1]) - 1, Number(match[2])];
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new Error(`SWITCHYARD_MATRIX_SHARD must be k/n with 1 <= k <= n, got '${setting}'`);
  }
  return { index, count };
}

const share = shard();
const pairsOfThisShare = pairs().filter((_, position) => position % share.count === share.index);
const runsSmallTests = share.index === 0;

for (const [fromFixture, toFixture] of pairsOfThisShare) {
  for (const mode of ['copy', 'move'] as const) {
    describe(`migrateJobs ${fromFixture.name} -> ${toFixture.name} (${mode}, ${TOTAL} mixed jobs)`, function () {
      this.timeout(180_000);
      let from: QueueProvider;
      let to: QueueProvider;
      let original: Map<string, JobSnapshot>;

      before(async () => {
        from = await fromFixture.make();
        to = await toFixture.make();
        await from.connect();
        await to.connect();
        await seedMixedJobs(from, MIX);
        original = await exportById(from);
        expect(original.size).to.equal(TOTAL);
      });
      after(async () => {
        await Promise.all([from.close({ timeoutMs: 2000 }), to.close({ timeoutMs: 2000 })]);
      });

      it('moves every job, reports it complete, and the target exports the same snapshots field by field', async () => {
        const report = await migrateJobs(from, to, { mode, batchSize: 250 });
        expect(report.complete, JSON.stringify(report.failures.slice(0, 3))).to.equal(true);
        expect(report.totals).to.deep.equal({
          exported: TOTAL,
          imported: TOTAL,
          skipped: 0,
          verified: TOTAL,
          deleted: mode === 'move' ? TOTAL : 0,
          failed: 0,
        });
        expect(report.byName.flaky?.exported).to.equal(MIX.failed);

        const after = await exportById(to);
        expect(after.size).to.equal(TOTAL);
        for (const [id, snapshot] of original) {
          const copy = after.get(id);
          expect(copy, id).not.to.equal(undefined);
          expect(comparable(copy!), id).to.deep.equal(comparable(snapshot));
        }
        expect((await exportById(from)).size).to.equal(mode === 'move' ? 0 : TOTAL);
      });

      it('doubles nothing when run again', async () => {
        const report = await migrateJobs(from, to, { mode, batchSize: 250 });
        expect(report.complete).to.equal(true);
        expect(report.totals.imported).to.equal(0);
        expect(report.totals.skipped).to.equal(mode === 'move' ? 0 : TOTAL);
        expect((await exportById(to)).size).to.equal(TOTAL);
      });
    });
  }
}

if (runsSmallTests) describeSmallTests();

/** The dry-run, safety and lost-acknowledgement tests: small, so they run in one share only. */
function describeSmallTests(): void {
  describe('migrateJobs safety', () => {
    const [memory] = providerFixtures();
    let from: QueueProvider;
    let to: QueueProvider;
    beforeEach(async () => {
      from = await memory!.make();
      to = await memory!.make();
      await from.connect();
      await to.connect();
    });
    afterEach(() => Promise.all([from.close({ timeoutMs: 500 }), to.close({ timeoutMs: 500 })]));

    it('writes nothing in a dry run and says what it would do', async () => {
      await from.scheduleJob('a', { n: 1 }, { jobId: 'a1', delayMs: 60_000 });
      await from.scheduleJob('b', { n: 2 }, { jobId: 'b1', delayMs: 60_000 });
      const report = await migrateJobs(from, to, { mode: 'move', dryRun: true });
      expect(report.totals.exported).to.equal(2);
      expect(report.byName).to.have.keys('a', 'b');
      expect(report.totals.imported + report.totals.deleted).to.equal(0);
      expect(await to.listJobs()).to.deep.equal([]);
      expect(await from.listJobs()).to.have.length(2);
    });

    it('never deletes a source job whose id holds a different job on the target', async () => {
      await from.scheduleJob('a', { mine: true }, { jobId: 'clash', delayMs: 60_000 });
      await to.scheduleJob('other', { theirs: true }, { jobId: 'clash', delayMs: 60_000 });
      const report = await migrateJobs(from, to, { mode: 'move' });
      expect(report.complete).to.equal(false);
      expect(report.failures).to.deep.equal([
        { id: 'clash', name: 'a', reason: 'a different job with this id exists on the target (name other)' },
      ]);
      expect((await from.getJob('clash'))?.data).to.deep.equal({ mine: true });
    });

    it('leaves active jobs in place and reports them', async () => {
      let release!: () => void;
      const running = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const hasStarted = new Promise<void>((resolve) => (started = resolve));
      from.registerProcessor({
        name: 'busy',
        process: async () => {
          started();
          await running;
        },
      });
      await from.start();
      await from.scheduleJob('busy', null, { jobId: 'busy-1' });
      await hasStarted;
      await from.scheduleJob('idle', null, { jobId: 'idle-1', delayMs: 60_000 });
      const report = await migrateJobs(from, to, { mode: 'move' });
      release();
      expect(report.activeLeftInPlace).to.deep.equal([{ id: 'busy-1', name: 'busy' }]);
      expect(report.complete).to.equal(true);
      expect((await to.listJobs()).map((job) => job.id)).to.deep.equal(['idle-1']);
    });

    it('filters by names and states', async () => {
      await from.scheduleJob('keep', null, { jobId: 'k', delayMs: 60_000 });
      await from.scheduleJob('move', null, { jobId: 'm', delayMs: 60_000 });
      const report = await migrateJobs(from, to, { names: ['move'], states: ['scheduled'], mode: 'move' });
      expect(report.totals.verified).to.equal(1);
      expect((await from.listJobs()).map((job) => job.id)).to.deep.equal(['k']);
      expect((await to.listJobs()).map((job) => job.id)).to.deep.equal(['m']);
    });

    it('refuses to migrate a provider onto itself', async () => {
      const error = await migrateJobs(from, from).catch((e: unknown) => e);
      expect(error).to.have.property('field', 'to');
    });
  });

  describe('migrateJobs: a move whose target loses what it acknowledged', function () {
    this.timeout(60_000);
    const TOTAL_JOBS = 1000;
    const BATCH = 100;
    let target: RedisServer;
    let from: QueueProvider;
    let to: BullQueueProvider;

    beforeEach(async () => {
      target = await startOwnRedis({ quiet: true });
      from = new MemoryQueueProvider();
      to = new BullQueueProvider({ redisUrl: target.url, prefix: 'lost' });
      await from.connect();
      await to.connect();
      for (let i = 0; i < TOTAL_JOBS; i += 1)
        await from.scheduleJob('reminder', { n: i }, { jobId: `job-${i}`, delayMs: 86_400_000 });
    });
    afterEach(async () => {
      await Promise.all([from.close({ timeoutMs: 500 }), to.close({ timeoutMs: 500 })]);
      await target.stop();
    });

    /**
     * The source as it is, except that its first delete first empties the target (a
     * Redis without persistence restarted, a failover that rolled writes back): the loss
     * strikes just after the first batch was checked, while it is being deleted.
     */
    function sourceWhoseFirstDeleteEmptiesTheTarget(): QueueProvider {
      const client = new Redis(target.url);
      let struck = false;
      return new Proxy(from, {
        get(provider, property, receiver) {
          if (property !== 'cancelJob') return Reflect.get(provider, property, receiver) as unknown;
          return async (jobId: string) => {
            if (!struck) {
              struck = true;
              await client.flushall();
              client.disconnect();
            }
            return provider.cancelJob(jobId);
          };
        },
      });
    }

    it('stops deleting at the next batch: at most the batch in flight is lost, the rest stays on the source, and the report says so', async () => {
      const report = await migrateJobs(sourceWhoseFirstDeleteEmptiesTheTarget(), to, {
        mode: 'move',
        batchSize: BATCH,
      });

      expect(report.complete).to.equal(false);
      expect(report.deletionStopped).to.deep.equal({ missingOnTarget: BATCH, leftOnSource: TOTAL_JOBS - BATCH });
      expect(report.failures).to.have.lengthOf(BATCH);
      for (const failure of report.failures) {
        expect(failure).to.deep.include({
          name: 'reminder',
          reason: 'verified on the target, then gone from it before deletion: kept on the source',
        });
      }
      expect(report.totals).to.deep.include({
        exported: TOTAL_JOBS,
        imported: TOTAL_JOBS,
        deleted: BATCH,
        failed: BATCH,
      });
      const onSource = new Set((await exportById(from)).keys());
      const onTarget = new Set((await exportById(to)).keys());
      const onNeither = Array.from({ length: TOTAL_JOBS }, (_, i) => `job-${i}`).filter(
        (id) => !onSource.has(id) && !onTarget.has(id),
      );
      expect(onNeither).to.have.lengthOf.at.most(BATCH);
      expect(onSource.size).to.equal(TOTAL_JOBS - BATCH);

      // Once the target is sound again, running the move again finishes it.
      const again = await migrateJobs(from, to, { mode: 'move', batchSize: BATCH });
      expect(again.complete).to.equal(true);
      expect((await exportById(to)).size).to.equal(TOTAL_JOBS - BATCH);
      expect((await exportById(from)).size).to.equal(0);
    });
  });
}
