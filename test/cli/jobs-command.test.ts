import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobInfo, QueueProvider } from '@switchyard/core';
import { once } from '@switchyard/core/testing';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { freeLoopbackPort } from '../support/free-port.js';
import { startRedis } from '../support/start-redis.js';
import { runSwitchyard } from '../support/switchyard-process.js';

const DAY = 86_400_000;

/**
 * `switchyard jobs` against Bull on the harness Redis, configured from the environment
 * as the container reads it. The jobs are made by a provider in this process; every
 * change the CLI makes is checked there.
 */
describe('switchyard jobs', function () {
  this.timeout(60_000);
  let env: Record<string, string>;
  let queue: QueueProvider;

  const jobs = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const cli = runSwitchyard(['jobs', ...args], { ...env, ...extraEnv });
    const code = await cli.exited();
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  };
  const json = async <T>(args: string[]): Promise<T> => {
    const { code, stdout, stderr } = await jobs([...args, '--json']);
    expect(code, stderr).to.equal(0);
    return JSON.parse(stdout) as T;
  };

  before(async () => {
    const redis = await startRedis();
    env = { QUEUE_PROVIDER: 'bull', REDIS_URL: `${redis.url}/4`, QUEUE_PREFIX: `cli-jobs-${Date.now()}` };
    // One completed, one failed and one scheduled job, made by a worker in this process.
    const worker = new BullQueueProvider({ redisUrl: env.REDIS_URL!, prefix: env.QUEUE_PREFIX! });
    await worker.connect();
    worker.registerProcessor({
      name: 'email',
      process: async (job) => {
        if ((job.data as { to: string }).to === 'bob@example.com') throw new Error('mailbox full');
        return { sent: true };
      },
    });
    const completed = once(worker, 'completed');
    const failed = once(worker, 'failed');
    await worker.scheduleJob('email', { to: 'ada@example.com' }, { jobId: 'welcome-ada' });
    await worker.scheduleJob('email', { to: 'bob@example.com' }, { jobId: 'welcome-bob', attempts: 1 });
    await worker.scheduleJob('booking-reminder', { bookingId: 'b-42' }, { jobId: 'booking:b-42:24h', delayMs: DAY });
    await worker.start();
    await Promise.all([completed, failed]);
    await worker.close();
    // The one that checks: connected, never started, so it runs nothing the CLI changes.
    queue = new BullQueueProvider({ redisUrl: env.REDIS_URL!, prefix: env.QUEUE_PREFIX! });
    await queue.connect();
  });
  after(() => queue?.close());

  // Jobs made in the same millisecond are ordered by id, so the expected order is the provider's own.
  const listedByProvider = async () => (await queue.listJobs()).map((job) => [job.id, job.name, job.state]);

  it('list: a table of every job, in the order listJobs gives (oldest first)', async () => {
    const { code, stdout } = await jobs(['list']);
    expect(code).to.equal(0);
    const [header, rule, ...rows] = stdout.trimEnd().split('\n');
    expect(header).to.match(/^id\s+name\s+state\s+run at\s+priority\s+attempts\s+created\s+failed reason$/);
    expect(rule).to.match(/^[- ]+$/);
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).to.deep.equal(await listedByProvider());
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).to.deep.include.members([
      ['welcome-ada', 'email', 'completed'],
      ['welcome-bob', 'email', 'failed'],
      ['booking:b-42:24h', 'booking-reminder', 'scheduled'],
    ]);
    expect(rows.find((row) => row.startsWith('welcome-bob '))).to.match(/\s1\/1\s.*mailbox full$/);
  });

  it('list --json: the JobInfo array, filtered by --names and --states', async () => {
    const all = await json<JobInfo[]>(['list']);
    expect(all.map((job) => [job.id, job.name, job.state])).to.deep.equal(await listedByProvider());
    expect(all.find((job) => job.id === 'booking:b-42:24h')!.runAt).to.be.a('string');
    const failed = await json<JobInfo[]>(['list', '--names', 'email', '--states', 'failed,scheduled']);
    expect(failed.map((job) => [job.id, job.failedReason])).to.deep.equal([['welcome-bob', 'mailbox full']]);
    const page = await jobs(['list', '--limit', '1', '--offset', '1']);
    expect(page.stdout.trimEnd().split('\n')[2]).to.match(new RegExp(`^${all[1]!.id} `));
    expect(page.stderr).to.equal('showing 1 jobs from 1; the next page: --offset 2\n');
  });

  it('get: one job, field by field; --json; exit 1 when there is no such job', async () => {
    const { code, stdout } = await jobs(['get', 'welcome-bob']);
    expect(code).to.equal(0);
    expect(stdout)
      .to.match(/^state +failed$/m)
      .and.match(/^failed reason +mailbox full$/m)
      .and.match(/^attempts +1 of 1$/m);
    expect(stdout).to.match(/^data +\{\n +"to": "bob@example.com"\n +\}$/m);
    expect((await json<JobInfo>(['get', 'welcome-ada'])).result).to.deep.equal({ sent: true });

    const missing = await jobs(['get', 'welcome-eve', '--json']);
    expect(missing.code).to.equal(1);
    expect(missing.stdout).to.equal('null\n');
    expect(missing.stderr).to.equal("switchyard jobs get: no job 'welcome-eve'\n");
  });

  it('stats: counts per name and in total', async () => {
    const { stdout } = await jobs(['stats']);
    expect(stdout)
      .to.match(/^email\s+0\s+0\s+0\s+1\s+1\s+no$/m)
      .and.match(/^total\s+1\s+0\s+0\s+1\s+1\s+no$/m);
    const stats = await json<{ byName: Record<string, { scheduled: number }>; total: { failed: number } }>([
      'stats',
      'booking-reminder',
    ]);
    expect(Object.keys(stats.byName)).to.deep.equal(['booking-reminder']);
    expect(stats.byName['booking-reminder']!.scheduled).to.equal(1);
  });

  it('retry: a failed job back to waiting; exit 1, and why, for the ids it could not retry', async () => {
    const { code, stdout } = await jobs(['retry', 'welcome-bob', 'welcome-ada', 'welcome-eve']);
    expect(code).to.equal(1);
    expect(stdout).to.equal(
      'retried welcome-bob\n' +
        'not retried welcome-ada: it is completed; only a failed job can be retried\n' +
        'not retried welcome-eve: no such job\n',
    );
    expect((await queue.getJob('welcome-bob'))!.state).to.equal('waiting');
  });

  it('pause and resume a name, for every worker on the backend', async () => {
    expect(await json(['pause', 'email'])).to.deep.equal({ name: 'email', paused: true });
    expect((await queue.getStats('email')).paused).to.equal(true);
    const { code, stdout } = await jobs(['resume', 'email']);
    expect([code, stdout]).to.deep.equal([0, 'resumed email\n']);
    expect((await queue.getStats('email')).paused).to.equal(false);
  });

  it('cancel: removes a scheduled job; --json says which ids were cancelled', async () => {
    const { code, stdout } = await jobs(['cancel', 'booking:b-42:24h', 'nope', '--json']);
    expect(code).to.equal(1);
    expect(JSON.parse(stdout)).to.deep.equal([
      { id: 'booking:b-42:24h', cancelled: true },
      { id: 'nope', cancelled: false, reason: 'no such job' },
    ]);
    expect(await queue.getJob('booking:b-42:24h')).to.equal(null);
  });

  it('clean: removes finished jobs older than --older-than', async () => {
    expect(await json(['clean', '--older-than', '1d'])).to.deep.equal({
      removed: 0,
      states: ['completed'],
      olderThanMs: DAY,
    });
    expect(await json(['clean', '--older-than', '0'])).to.deep.equal({
      removed: 1,
      states: ['completed'],
      olderThanMs: 0,
    });
    expect(await queue.getJob('welcome-ada')).to.equal(null);
  });

  it('reads its settings from --env-file; the environment wins over the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'switchyard-env-'));
    try {
      const file = join(folder, '.env');
      writeFileSync(
        file,
        `# as a service would keep it\nQUEUE_PROVIDER=bull\nREDIS_URL=${env.REDIS_URL}\nQUEUE_PREFIX=${env.QUEUE_PREFIX}\n`,
      );
      const fromFile = runSwitchyard(['jobs', 'list', '--json', '--env-file', file], {
        QUEUE_PROVIDER: '',
        REDIS_URL: '',
        QUEUE_PREFIX: '',
      });
      expect(await fromFile.exited(), fromFile.stderr()).to.equal(0);
      expect((JSON.parse(fromFile.stdout()) as JobInfo[]).map((job) => job.id)).to.include('welcome-bob');

      const overridden = runSwitchyard(['--env-file', file, 'jobs', 'list', '--json'], {
        QUEUE_PROVIDER: '',
        REDIS_URL: '',
        QUEUE_PREFIX: 'another-prefix',
      });
      expect(await overridden.exited(), overridden.stderr()).to.equal(0);
      expect(JSON.parse(overridden.stdout())).to.deep.equal([]);

      // Node itself refuses a missing --env-file before any script runs (exit 9); either way one line names the file.
      const missing = runSwitchyard(['jobs', 'list', '--env-file', join(folder, 'missing.env')], env);
      expect(await missing.exited()).to.be.oneOf([2, 9]);
      expect(missing.stderr().trimEnd().split('\n'))
        .to.have.length(1)
        .and.to.satisfy((lines: string[]) => lines[0]!.includes('missing.env'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('an unreachable server: one line naming host and port, never the password, exit 2', async () => {
    const port = await freeLoopbackPort();
    const { code, stdout, stderr } = await jobs(['list'], { REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}` });
    expect(code).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr).to.match(
      new RegExp(`^switchyard jobs list: bull backend at 127\\.0\\.0\\.1:${port} is unavailable: .*\\n$`),
    );
    expect(stderr).not.to.include('s3cret');
  });
});
