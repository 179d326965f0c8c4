import { expect } from 'chai';
import { BullMQQueueProvider, type BullMQQueueProviderOptions } from '@switchyard/provider-bullmq';
import { startPostgres } from '../../../test/support/start-postgres.js';
import { startRedis } from '../../../test/support/start-redis.js';

const DAY = 86_400_000;
const JOBS = 5000;

const backends: { title: string; options: (n: number) => Promise<BullMQQueueProviderOptions> }[] = [
  {
    title: 'PostgreSQL',
    options: async (n) => ({
      backend: 'postgres',
      databaseUrl: (await startPostgres()).url,
      schema: `export_many_${process.pid}_${n}`,
    }),
  },
  {
    title: 'Redis',
    options: async (n) => ({
      backend: 'redis',
      redisUrl: (await startRedis()).url,
      prefix: `export-many-${process.pid}-${n}`,
    }),
  },
];

/**
 * An export reads every job of a state. BullMQ's own `getJobs` would send one query per
 * job at once, and on PostgreSQL thousands of them wait on the provider's pool longer
 * than its connect timeout (which bounds waiting for a pooled connection too): the
 * export failed with "timeout exceeded when trying to connect".
 */
let made = 0;
for (const backend of backends) {
  describe(`BullMQQueueProvider on ${backend.title}: reading ${JOBS} delayed jobs`, function () {
    this.timeout(120_000);
    const runAt = new Date(Date.now() + 30 * DAY);
    let writer: BullMQQueueProvider;
    let reader: BullMQQueueProvider;

    before(async () => {
      const options = await backend.options((made += 1));
      writer = new BullMQQueueProvider(options);
      await writer.connect();
      for (let start = 0; start < JOBS; start += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            writer.scheduleJob('reminder', { n: start + k }, { jobId: `many-${start + k}`, runAt }),
          ),
        );
      }
      // A third of the default connect timeout, so that waits that long fail on an idle machine too.
      reader = new BullMQQueueProvider({ ...options, connectTimeoutMs: 1000 });
      await reader.connect();
    });
    after(() => Promise.all([writer?.close(), reader?.close()]));

    it('exports every one with its due time, each wait on the pool shorter than the connect timeout', async () => {
      const runAts = new Map<string, string | null>();
      for await (const snapshot of reader.exportJobs({ states: ['scheduled'] }))
        runAts.set(snapshot.id, snapshot.runAt);
      expect(runAts.size).to.equal(JOBS);
      expect(new Set(runAts.values())).to.deep.equal(new Set([runAt.toISOString()]));
    });

    it('lists the last page of them', async () => {
      const page = await reader.listJobs({ states: ['scheduled'], limit: 1000, offset: JOBS - 10 });
      expect(page).to.have.lengthOf(10);
    });
  });
}
