import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
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
});
