/**
 * An id claimed in the job directory without its job, as a server going away mid-call
 * leaves one (the claim stored, its reply lost, or the add failed and so did freeing the
 * id). Scheduling that id again must add the job, once: a no-op would lose it. The
 * claim is written here as the directory stores it, on the real server.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { PostgresConnection } from 'bullmq';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startRedis } from '../../../test/support/start-redis.js';
import { startPostgres } from '../../../test/support/start-postgres.js';

interface Storage {
  title: string;
  /** A provider on storage of its own, and a way to claim an id there with no job behind it. */
  make(): Promise<{ provider: BullMQQueueProvider; claimOnly(id: string, name: string): Promise<void> }>;
}

let schemas = 0;

const storages: Storage[] = [
  {
    title: 'Redis',
    async make() {
      const redisUrl = (await startRedis()).url;
      const prefix = `lost-claim-${randomUUID()}`;
      return {
        provider: new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix }),
        async claimOnly(id, name) {
          const redis = new Redis(redisUrl);
          await redis.hset(`${prefix}:switchyard-ids`, id, name);
          redis.disconnect();
        },
      };
    },
  },
  {
    title: 'PostgreSQL',
    async make() {
      const databaseUrl = (await startPostgres()).url;
      const schema = `lost_claim_${process.pid}_${(schemas += 1)}`;
      return {
        provider: new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema }),
        async claimOnly(id, name) {
          const connection = new PostgresConnection({ connectionString: databaseUrl, schema, skipMigrations: true });
          await connection.waitUntilReady();
          await connection.pool.query('INSERT INTO switchyard_job_ids (id, name) VALUES ($1, $2)', [id, name]);
          await connection.close();
        },
      };
    },
  },
];

for (const storage of storages) {
  describe(`BullMQQueueProvider on ${storage.title}: an id claimed without its job`, function () {
    this.timeout(30_000);
    let made: Awaited<ReturnType<Storage['make']>>;

    beforeEach(async () => {
      made = await storage.make();
      await made.provider.connect();
    });

    afterEach(() => made.provider.close({ timeoutMs: 1000 }));

    it('gets its job when scheduled again, once', async () => {
      await made.claimOnly('lost-1', 'email');
      expect(await made.provider.getJob('lost-1')).to.equal(null);

      expect(await made.provider.scheduleJob('email', { to: 'ada' }, { jobId: 'lost-1', delayMs: 60_000 })).to.equal(
        'lost-1',
      );
      expect(await made.provider.getJob('lost-1')).to.deep.include({ name: 'email', data: { to: 'ada' } });
      await made.provider.scheduleJob('email', { to: 'someone else' }, { jobId: 'lost-1', delayMs: 60_000 });
      expect((await made.provider.getJob('lost-1'))?.data).to.deep.equal({ to: 'ada' });
      expect((await made.provider.getStats('email')).scheduled).to.equal(1);
    });

    it('gets its job scheduler when a repeating job is scheduled again', async () => {
      await made.claimOnly('lost-series', 'digest');
      await made.provider.scheduleJob('digest', { n: 1 }, { jobId: 'lost-series', repeat: { everyMs: 3_600_000 } });
      expect(await made.provider.getJob('lost-series')).to.deep.include({ name: 'digest', data: { n: 1 } });
    });

    it('stays a no-op for an id whose job is of the other kind (a single job, or a series)', async () => {
      await made.provider.scheduleJob('email', { n: 1 }, { jobId: 'single', delayMs: 60_000 });
      await made.provider.scheduleJob('email', { n: 2 }, { jobId: 'single', repeat: { everyMs: 3_600_000 } });
      await made.provider.scheduleJob('email', { n: 3 }, { jobId: 'series', repeat: { everyMs: 3_600_000 } });
      await made.provider.scheduleJob('email', { n: 4 }, { jobId: 'series', delayMs: 60_000 });
      const jobs = await made.provider.listJobs({ names: ['email'] });
      expect(jobs.map(({ id, data }) => ({ id, data })).sort((a, b) => a.id.localeCompare(b.id))).to.deep.equal([
        { id: 'series', data: { n: 3 } },
        { id: 'single', data: { n: 1 } },
      ]);
    });

    it('stays a no-op for an id claimed under another name', async () => {
      await made.claimOnly('taken', 'other-name');
      expect(await made.provider.scheduleJob('email', { to: 'ada' }, { jobId: 'taken' })).to.equal('taken');
      expect((await made.provider.getStats('email')).waiting).to.equal(0);
    });
  });
}
