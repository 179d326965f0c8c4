import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullJobIndex, newIndexEntry } from '../src/bull-job-index.js';
import { BullKeys } from '../src/bull-keys.js';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';

const DAY_MS = 86_400_000;

function snapshot(id: string, fields: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id,
    name: 'invoices',
    data: { id },
    state: 'scheduled',
    runAt: new Date(Date.now() + DAY_MS).toISOString(),
    priority: 5,
    attempts: 1,
    attemptsMade: 0,
    backoff: null,
    timeoutMs: null,
    repeat: null,
    createdAt: new Date().toISOString(),
    ...fields,
  };
}

/**
 * An import claims a batch's ids in the job index, then stores the jobs. A migration
 * killed between the two (SIGKILL) leaves claims without jobs; the import that the
 * migration's rerun makes must store those jobs, or the rerun skips them as taken and
 * the move can never finish.
 */
describe('BullQueueProvider: an import stopped between its claims and its jobs', function () {
  this.timeout(30_000);
  let server: RedisServer;
  let redis: Redis;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  after(() => redis.disconnect());

  it('stores the jobs of ids claimed without them when the import runs again, and still skips ids whose job is there', async () => {
    const prefix = `import-recovery-${randomUUID()}`;
    const provider = new BullQueueProvider({ redisUrl: server.url, prefix });
    try {
      await provider.connect();
      await provider.scheduleJob('invoices', { kept: true }, { jobId: 'stored', delayMs: DAY_MS });
      const series = snapshot('weekly', { repeat: { everyMs: DAY_MS }, runAt: null });
      const orphans = [snapshot('invoice-1'), snapshot('invoice:2'), snapshot('3'), series];
      // What the killed import did: the claims of its batch, and nothing more.
      const index = new BullJobIndex(() => redis, new BullKeys(prefix));
      const claimed = await index.claimAll(
        orphans.map((each) => ({
          id: each.id,
          entry: newIndexEntry(
            each.id,
            each.name,
            each.repeat === null ? undefined : { repeat: each.repeat, createdAt: Date.parse(each.createdAt) },
          ),
        })),
      );
      expect([...claimed].sort()).to.deep.equal(orphans.map((each) => each.id).sort());
      // And one claimed under another name, which holds no job of that id either.
      expect([...(await index.claimAll([{ id: 'moved', entry: newIndexEntry('moved', 'receipts') }]))]).to.deep.equal([
        'moved',
      ]);
      orphans.push(snapshot('moved'));
      expect(await provider.getJob('invoice-1')).to.equal(null);

      const report = await provider.importJobs([...orphans, snapshot('stored')], { onExisting: 'skip' });

      expect(report.imported, JSON.stringify(report)).to.deep.equal(orphans.map((each) => each.id));
      expect(report.skipped).to.deep.equal(['stored']);
      expect(report.errors).to.deep.equal([]);
      for (const each of orphans) {
        const job = await provider.getJob(each.id);
        expect(job, each.id).to.deep.include({ id: each.id, name: 'invoices', data: { id: each.id } });
      }
      expect((await provider.getJob('weekly'))?.repeat).to.deep.equal({ everyMs: DAY_MS });
      expect((await provider.getJob('stored'))?.data, 'the job that was there is left as it was').to.deep.equal({
        kept: true,
      });

      const again = await provider.importJobs([...orphans, snapshot('stored')], { onExisting: 'skip' });
      expect(again.imported, 'every claim has its job now: nothing is stored twice').to.deep.equal([]);
      expect(again.skipped).to.have.lengthOf(orphans.length + 1);
      expect((await provider.getStats('invoices')).scheduled).to.equal(orphans.length + 1);
    } finally {
      await provider.close({ timeoutMs: 1000 });
    }
  });
});
