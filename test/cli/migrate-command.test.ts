import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres } from '../support/start-postgres.js';
import { startOwnRedis, startRedis, type RedisServer } from '../support/start-redis.js';
import { runSwitchyard } from '../support/switchyard-process.js';

const DAY = 86_400_000;

/** What `switchyard migrate` adds to the migration CLI it replaces; the rest is test/migration/migrate-jobs-cli.test.ts. */
describe('switchyard migrate', function () {
  this.timeout(120_000);
  let target: RedisServer | undefined;
  afterEach(() => target?.stop());

  it('a target server that goes away mid-run: one line naming it, no stack, exit 2', async () => {
    const source = await startRedis();
    target = await startOwnRedis({ quiet: true });
    const prefix = `cli-mid-run-${Date.now()}`;
    const from = new BullQueueProvider({ redisUrl: `${source.url}/3`, prefix });
    await from.connect();
    const runAt = new Date(Date.now() + 30 * DAY);
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) => from.scheduleJob('reminder', { i }, { jobId: `mid-${i}`, runAt })),
    );
    await from.close();

    const cli = runSwitchyard(
      [
        'migrate',
        '--from',
        'bull',
        '--to',
        'bull',
        '--from-url',
        `${source.url}/3`,
        '--to-url',
        target.url,
        '--batch-size',
        '50',
      ],
      {
        QUEUE_PREFIX: prefix,
      },
    );
    await cli.waitForStderr(/copied \d+ jobs/, 60_000);
    await target.stop();
    expect(await cli.exited(), cli.stderr()).to.equal(2);
    const lastLine = cli.stderr().trim().split('\n').at(-1)!;
    expect(lastLine).to.match(/^switchyard migrate: .*127\.0\.0\.1:\d+/);
    expect(cli.stderr()).not.to.match(/^\s+at /m);
  });

  it('--to bullmq with a postgres:// --to-url moves Bull jobs to BullMQ on PostgreSQL', async () => {
    const source = await startRedis();
    const databaseUrl = (await startPostgres()).url;
    const prefix = `cli-to-bullmq-${Date.now()}`;
    const schema = `cli_to_bullmq_${process.pid}`;
    const from = new BullQueueProvider({ redisUrl: `${source.url}/4`, prefix });
    await from.connect();
    const runAt = new Date(Date.now() + 30 * DAY);
    for (let i = 0; i < 5; i += 1) await from.scheduleJob('reminder', { i }, { jobId: `to-bullmq-${i}`, runAt });
    await from.close();

    const cli = runSwitchyard(
      ['migrate', '--from', 'bull', '--to', 'bullmq', '--from-url', `${source.url}/4`, '--to-url', databaseUrl],
      { QUEUE_PREFIX: prefix, BULLMQ_SCHEMA: schema },
    );
    expect(await cli.exited(), cli.stderr()).to.equal(0);
    const to = new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema });
    try {
      const moved = await to.listJobs({ names: ['reminder'] });
      expect(moved.map((job) => job.id).sort()).to.deep.equal(Array.from({ length: 5 }, (_, i) => `to-bullmq-${i}`));
      expect(moved.every((job) => job.state === 'scheduled' && job.runAt?.getTime() === runAt.getTime())).to.equal(
        true,
      );
    } finally {
      await to.close();
    }
  });
});
