import { expect } from 'chai';
import type { QueueProvider } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres } from '../support/start-postgres.js';
import { startOwnRedis, startRedis, type RedisServer } from '../support/start-redis.js';
import { migrateArgs, runMigrateCli } from '../support/migrate-cli-process.js';
import { exportById } from '../support/mixed-jobs.js';

const DAY = 86_400_000;

/** Two Bull providers on two databases of the harness Redis: a real migration between two servers' worth of storage. */
async function bullPair(prefix: string) {
  const redis = await startRedis();
  const fromUrl = `${redis.url}/1`;
  const toUrl = `${redis.url}/2`;
  const from = new BullQueueProvider({ redisUrl: fromUrl, prefix });
  const to = new BullQueueProvider({ redisUrl: toUrl, prefix });
  await from.connect();
  await to.connect();
  return { from, to, fromUrl, toUrl, env: { QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' } };
}

async function seed(queue: QueueProvider, count: number): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < count; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, (_, k) => {
        const i = start + k;
        return queue.scheduleJob(
          i % 2 ? 'reminder' : 'digest',
          { n: i },
          { jobId: `job-${i}`, runAt: new Date(now + 60 * DAY + i), priority: 1 + (i % 10) },
        );
      }),
    );
  }
}

describe('migrate-jobs CLI', function () {
  this.timeout(120_000);
  let from: QueueProvider;
  let to: QueueProvider;
  afterEach(() => Promise.all([from?.close({ timeoutMs: 1000 }), to?.close({ timeoutMs: 1000 })]));

  /**
   * Seeds 3,000 jobs on `from`, starts a move through the CLI, kills it with SIGKILL
   * once it has copied at least 500, then runs the same command again.
   */
  async function expectKilledMoveFinishedByRerun(args: string[], env: Record<string, string>): Promise<void> {
    const total = 3000;
    await seed(from, total);
    const moveArgs = [...args, '--mode', 'move', '--batch-size', '100'];

    const first = runMigrateCli(moveArgs, env);
    await first.waitForStderr(/copied [5-9]\d\d jobs/, 60_000);
    first.child.kill('SIGKILL');
    expect(await first.exited()).to.equal('SIGKILL');
    const halfway = (await exportById(to)).size;
    expect(halfway).to.be.greaterThan(0).and.lessThan(total);

    const second = runMigrateCli(moveArgs, env);
    expect(await second.exited(), second.stderr() + second.stdout()).to.equal(0);
    expect(second.stdout()).to.include('Every selected job is on the target.');

    const target = await exportById(to);
    expect(target.size).to.equal(total);
    expect((await to.getStats()).scheduled).to.equal(total);
    for (let i = 0; i < total; i += 1) expect(target.get(`job-${i}`)?.data, `job-${i}`).to.deep.equal({ n: i });
    expect((await exportById(from)).size).to.equal(0);
  }

  it('finishes a move killed with SIGKILL mid-way when run again: every job once on the target, none left on the source', async () => {
    const pair = await bullPair(`cli-kill-${Date.now()}`);
    ({ from, to } = pair);
    await expectKilledMoveFinishedByRerun(
      ['--from', 'bull', '--to', 'bull', '--from-url', pair.fromUrl, '--to-url', pair.toUrl],
      pair.env,
    );
  });

  it('finishes a bull -> bullmq (Redis) move killed with SIGKILL mid-way when run again', async () => {
    const redis = await startRedis();
    const fromUrl = `${redis.url}/5`;
    const toUrl = `${redis.url}/6`;
    const bullPrefix = `cli-kill-bull-${Date.now()}`;
    const prefix = `cli-kill-mq-${Date.now()}`;
    from = new BullQueueProvider({ redisUrl: fromUrl, prefix: bullPrefix });
    to = new BullMQQueueProvider({ backend: 'redis', redisUrl: toUrl, prefix });
    await Promise.all([from.connect(), to.connect()]);
    // The source's prefix from the URL, the target's from its flag: the two differ, as they do in a real move.
    await expectKilledMoveFinishedByRerun(
      migrateArgs(
        { provider: 'bull', url: `${fromUrl}?prefix=${bullPrefix}` },
        { provider: 'bullmq', url: toUrl, prefix },
      ),
      { LOG_LEVEL: 'warn' },
    );
  });

  it('finishes a bullmq (Redis) -> bullmq (PostgreSQL) move killed with SIGKILL mid-way when run again', async () => {
    const redisUrl = `${(await startRedis()).url}/7`;
    const databaseUrl = (await startPostgres()).url;
    const prefix = `cli-kill-mq-${Date.now()}`;
    const schema = `cli_kill_${process.pid}`;
    from = new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix });
    to = new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema });
    await Promise.all([from.connect(), to.connect()]);
    await expectKilledMoveFinishedByRerun(
      migrateArgs({ provider: 'bullmq', url: redisUrl, prefix }, { provider: 'bullmq', url: databaseUrl, schema }),
      { LOG_LEVEL: 'warn' },
    );
  });

  it('prints the per-name table, and the report as JSON with --json', async () => {
    const pair = await bullPair(`cli-json-${Date.now()}`);
    ({ from, to } = pair);
    await seed(from, 10);
    const copy = runMigrateCli(
      ['--from', 'bull', '--to', 'bull', '--from-url', pair.fromUrl, '--to-url', pair.toUrl],
      pair.env,
    );
    expect(await copy.exited(), copy.stderr()).to.equal(0);
    expect(copy.stdout())
      .to.match(/^digest\s+5\s+5\s+0\s+5\s+0\s+0$/m)
      .and.match(/^total\s+10\s+10\s+0\s+10\s+0\s+0$/m);

    const again = runMigrateCli(
      ['--from', 'bull', '--to', 'bull', '--from-url', pair.fromUrl, '--to-url', pair.toUrl, '--json'],
      pair.env,
    );
    expect(await again.exited(), again.stderr()).to.equal(0);
    const report = JSON.parse(again.stdout()) as { totals: unknown; complete: unknown };
    expect(report.totals).to.deep.equal({
      exported: 10,
      imported: 0,
      skipped: 10,
      verified: 10,
      deleted: 0,
      failed: 0,
    });
    expect(report.complete).to.equal(true);
  });

  it('writes nothing in a dry run', async () => {
    const pair = await bullPair(`cli-dry-${Date.now()}`);
    ({ from, to } = pair);
    await seed(from, 20);
    const dry = runMigrateCli(
      [
        '--from',
        'bull',
        '--to',
        'bull',
        '--from-url',
        pair.fromUrl,
        '--to-url',
        pair.toUrl,
        '--mode',
        'move',
        '--dry-run',
      ],
      pair.env,
    );
    expect(await dry.exited(), dry.stderr()).to.equal(0);
    expect(dry.stdout())
      .to.include('Dry run (nothing written)')
      .and.match(/^total\s+20\s+0\s+0\s+0\s+0\s+0$/m);
    expect((await exportById(to)).size).to.equal(0);
    expect((await exportById(from)).size).to.equal(20);
  });

  describe('a server failing mid-run: one line naming it, exit code 2, no stack trace, no password', () => {
    const PASSWORD = 'mid-run-s3cret';
    let own: RedisServer | undefined;
    afterEach(async () => {
      await own?.stop();
      own = undefined;
    });

    /** A move of 3,000 jobs between a Redis of the test's own (the side that fails) and the shared one. */
    async function runUntilThenFail(
      side: 'source' | 'target',
      phase: RegExp,
      fail: (server: RedisServer) => Promise<void>,
    ) {
      own = await startOwnRedis({ password: PASSWORD, quiet: true });
      const shared = await startRedis();
      const prefix = `cli-mid-run-${Date.now()}`;
      const fromUrl = side === 'source' ? own.url : `${shared.url}/3`;
      const toUrl = side === 'target' ? own.url : `${shared.url}/4`;
      from = new BullQueueProvider({ redisUrl: fromUrl, prefix });
      to = new BullQueueProvider({ redisUrl: toUrl, prefix });
      await seed(from, 3000);
      const cli = runMigrateCli(
        [
          '--from',
          'bull',
          '--to',
          'bull',
          '--from-url',
          fromUrl,
          '--to-url',
          toUrl,
          '--mode',
          'move',
          '--batch-size',
          '100',
        ],
        { QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' },
      );
      await cli.waitForStderr(phase, 60_000);
      await fail(own);
      const code = await cli.exited();
      return { cli, code };
    }

    function expectOneLineError(cli: ReturnType<typeof runMigrateCli>, server: RedisServer): void {
      const stderr = cli.stderr();
      const port = new URL(server.url).port;
      const lines = stderr.trim().split('\n');
      expect(lines.at(-1), stderr).to.match(new RegExp(`^switchyard migrate: .*127\\.0\\.0\\.1:${port}`));
      expect(stderr + cli.stdout()).not.to.match(/^\s+at /m);
      expect(stderr + cli.stdout()).not.to.include(PASSWORD);
    }

    it('the source stopped while copying', async () => {
      const { cli, code } = await runUntilThenFail('source', /copied [1-9]\d* jobs/, (server) => server.stop());
      expect(code, cli.stderr()).to.equal(2);
      expectOneLineError(cli, own!);
    });

    it('the target restarted empty while deleting from the source', async () => {
      const { cli, code } = await runUntilThenFail('target', /deleted from source [1-9]\d* of/, (server) =>
        server.restart(),
      );
      // Either the target was down when the migration next spoke to it (the one-line
      // error, exit 2), or it answered, empty, and the move stopped deleting (the report, exit 1).
      if (cli.stdout().includes('Deletion stopped')) {
        expect(code, cli.stdout()).to.equal(1);
        expect(cli.stdout()).to.include('NOT every selected job is on the target');
        expect(cli.stdout()).not.to.include(PASSWORD);
      } else {
        expect(code, cli.stderr()).to.equal(2);
        expectOneLineError(cli, own!);
      }
      // The source keeps every job whose batch was not deleted before the target emptied.
      expect((await exportById(from)).size).to.be.greaterThan(0);
    });
  });

  describe('bad input: one line, exit code 2, nothing touched', () => {
    const cases: [string, (urls: { fromUrl: string; toUrl: string }) => string[], RegExp][] = [
      ['unknown provider', () => ['--from', 'kafka', '--to', 'bull'], /kafka/],
      [
        'same source and target',
        (u) => ['--from', 'bull', '--to', 'bull', '--from-url', u.fromUrl, '--to-url', u.fromUrl],
        /same provider and server/,
      ],
      [
        'malformed URL',
        (u) => ['--from', 'bull', '--to', 'bull', '--from-url', u.fromUrl, '--to-url', 'redis://:s3cret@bad host'],
        /--to-url/,
      ],
      [
        'unknown state',
        (u) => [
          '--from',
          'bull',
          '--to',
          'bull',
          '--from-url',
          u.fromUrl,
          '--to-url',
          u.toUrl,
          '--states',
          'scheduled,running',
        ],
        /running/,
      ],
      [
        'unreachable server',
        (u) => ['--from', 'bull', '--to', 'bull', '--from-url', u.fromUrl, '--to-url', 'redis://:s3cret@127.0.0.1:1'],
        /127\.0\.0\.1:1/,
      ],
    ];
    for (const [title, argsFor, message] of cases) {
      it(title, async () => {
        const pair = await bullPair(`cli-bad-${Date.now()}`);
        ({ from, to } = pair);
        await seed(from, 5);
        const cli = runMigrateCli(argsFor(pair), pair.env);
        expect(await cli.exited()).to.equal(2);
        const lines = cli.stderr().trim().split('\n');
        expect(lines, cli.stderr()).to.have.length(1);
        expect(lines[0]).to.match(message);
        expect(cli.stderr()).not.to.include('s3cret');
        expect((await exportById(from)).size).to.equal(5);
        expect((await exportById(to)).size).to.equal(0);
      });
    }
  });
});
