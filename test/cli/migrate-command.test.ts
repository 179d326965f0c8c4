import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres } from '../support/start-postgres.js';
import { startOwnRedis, startRedis, type RedisServer } from '../support/start-redis.js';
import { migrateArgs, runMigrateCli } from '../support/migrate-cli-process.js';
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

describe("switchyard migrate: a BullMQ side's prefix and schema", function () {
  this.timeout(120_000);

  /** Five far-off jobs on BullMQ on Redis under `prefix`. */
  async function seedBullMQ(redisUrl: string, prefix: string): Promise<void> {
    const queue = new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix });
    await queue.connect();
    const runAt = new Date(Date.now() + 30 * DAY);
    for (let i = 0; i < 5; i += 1) await queue.scheduleJob('reminder', { i }, { jobId: `side-${i}`, runAt });
    await queue.close();
  }

  async function idsOn(queue: BullMQQueueProvider): Promise<string[]> {
    try {
      return (await queue.listJobs()).map((job) => job.id).sort();
    } finally {
      await queue.close();
    }
  }

  const IDS = Array.from({ length: 5 }, (_, i) => `side-${i}`);

  it("takes a Redis side's prefix from --<side>-prefix or ?prefix=, a PostgreSQL side's schema from --<side>-schema or ?schema=", async () => {
    const redisUrl = `${(await startRedis()).url}/8`;
    const databaseUrl = (await startPostgres()).url;
    const prefix = `cli-side-${Date.now()}`;
    const [viaQuery, viaFlag] = [`cli_query_${process.pid}`, `cli_flag_${process.pid}`];
    await seedBullMQ(redisUrl, prefix);

    const toQuery = runMigrateCli(
      migrateArgs(
        { provider: 'bullmq', url: `${redisUrl}?prefix=${prefix}` },
        { provider: 'bullmq', url: `${databaseUrl}?schema=${viaQuery}` },
      ),
      { LOG_LEVEL: 'warn' },
    );
    expect(await toQuery.exited(), toQuery.stderr()).to.equal(0);
    const toFlag = runMigrateCli(
      [
        ...migrateArgs(
          { provider: 'bullmq', url: redisUrl, prefix },
          { provider: 'bullmq', url: databaseUrl, schema: viaFlag },
        ),
        '--mode',
        'move',
      ],
      { LOG_LEVEL: 'warn' },
    );
    expect(await toFlag.exited(), toFlag.stderr()).to.equal(0);

    expect(await idsOn(new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema: viaQuery }))).to.deep.equal(
      IDS,
    );
    expect(await idsOn(new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema: viaFlag }))).to.deep.equal(
      IDS,
    );
    expect(await idsOn(new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix }))).to.deep.equal([]);
  });

  it('refuses bull and bullmq on the same Redis database and prefix, which share their keys, and touches nothing', async () => {
    const redisUrl = `${(await startRedis()).url}/9`;
    const prefix = `cli-shared-keys-${Date.now()}`;
    const bull = new BullQueueProvider({ redisUrl, prefix });
    await bull.connect();
    try {
      await bull.scheduleJob('reminder', { i: 1 }, { jobId: 'shared-1', delayMs: DAY });
      const cli = runMigrateCli(
        [
          ...migrateArgs({ provider: 'bull', url: redisUrl, prefix }, { provider: 'bullmq', url: redisUrl }),
          '--mode',
          'move',
        ],
        { LOG_LEVEL: 'warn', QUEUE_PREFIX: prefix },
      );
      expect(await cli.exited()).to.equal(2);
      expect(cli.stderr().trim()).to.match(
        new RegExp(
          `^switchyard migrate: --from bull and --to bullmq would use the same Redis keys \\(127\\.0\\.0\\.1:\\d+ database 9, prefix '${prefix}'\\): give one side a prefix of its own`,
        ),
      );
      expect((await bull.getJob('shared-1'))?.data).to.deep.equal({ i: 1 });
    } finally {
      await bull.close();
    }
  });

  describe('bad input: one line naming the flag, exit code 2, no password', () => {
    const PASSWORD = 'side-s3cret';
    const postgres = `postgres://app:${PASSWORD}@127.0.0.1:1/app`;
    const cases: [string, string[], RegExp][] = [
      [
        'a prefix for BullMQ on PostgreSQL',
        ['--to', 'bullmq', '--to-url', postgres, '--to-prefix', 'jobs'],
        /--to-prefix applies to bull and to bullmq on Redis only \(BullMQ on PostgreSQL keeps its jobs in a schema: --to-schema\)/,
      ],
      [
        'a schema for BullMQ on Redis',
        ['--to', 'bullmq', '--to-url', 'redis://:side-s3cret@127.0.0.1:1', '--to-schema', 'jobs'],
        /--to-schema applies to bullmq on PostgreSQL only/,
      ],
      [
        'a schema for Agenda',
        ['--to', 'agenda', '--to-schema', 'jobs'],
        /--to-schema applies to bullmq on PostgreSQL only/,
      ],
      [
        'a schema name PostgreSQL would refuse',
        ['--to', 'bullmq', '--to-url', postgres, '--to-schema', 'my-jobs'],
        /^switchyard migrate: --to-schema 'my-jobs' is not a PostgreSQL schema name/,
      ],
      [
        'a schema flag and a ?schema= that differ',
        ['--to', 'bullmq', '--to-url', `${postgres}?schema=a`, '--to-schema', 'b'],
        /--to-schema 'b' and the schema in --to-url \('a'\) differ/,
      ],
    ];
    for (const [title, toArgs, message] of cases) {
      it(title, async () => {
        const redisUrl = (await startRedis()).url;
        const cli = runSwitchyard(
          ['migrate', '--from', 'bullmq', '--from-url', redisUrl, '--from-prefix', `cli-bad-${Date.now()}`, ...toArgs],
          { LOG_LEVEL: 'warn' },
        );
        expect(await cli.exited()).to.equal(2);
        const lines = cli.stderr().trim().split('\n');
        expect(lines, cli.stderr()).to.have.length(1);
        expect(lines[0]).to.match(message);
        expect(cli.stderr()).not.to.include(PASSWORD);
      });
    }
  });
});
