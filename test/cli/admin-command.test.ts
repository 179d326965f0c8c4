import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis } from '../support/start-redis.js';
import { runSwitchyard } from '../support/switchyard-process.js';

/** `switchyard admin`: the admin server over the configured provider, with --port, --host and --insecure-local. */
describe('switchyard admin', function () {
  this.timeout(60_000);

  it('serves the API over Bull on --port 0 with a token, and stops on SIGINT with exit 0', async () => {
    const redis = await startRedis();
    const env = {
      QUEUE_PROVIDER: 'bull',
      REDIS_URL: `${redis.url}/6`,
      QUEUE_PREFIX: `cli-admin-${Date.now()}`,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    const token = 'a-token-of-at-least-16-characters';
    const queue = new BullQueueProvider({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX });
    await queue.connect();
    await queue.scheduleJob('email', { to: 'ada@example.com' }, { jobId: 'welcome-ada', delayMs: 60_000 });
    await queue.close();

    const admin = runSwitchyard(['admin', '--port', '0', '--host', '127.0.0.1'], {
      ...env,
      ADMIN_TOKEN: token,
      ADMIN_PORT: 'not a port',
    });
    await admin.waitFor('stdout', /"admin server listening"/, 20_000);
    const { address } = JSON.parse(
      admin
        .stdout()
        .split('\n')
        .find((line) => line.includes('admin server listening'))!,
    ) as { address: string };
    expect(address).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${address}/api/jobs/welcome-ada`)).status).to.equal(401);
    const answer = await fetch(`${address}/api/jobs/welcome-ada`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).to.equal(200);
    expect(((await answer.json()) as { state: string }).state).to.equal('scheduled');

    admin.child.kill('SIGINT');
    expect(await admin.exited(), admin.stderr()).to.equal(0);
  });

  const failedStarts: [string, string[], Record<string, string>, RegExp][] = [
    ['no ADMIN_TOKEN and no --insecure-local', ['--port', '0'], { ADMIN_TOKEN: '' }, /failed to start: .*token/i],
    [
      '--insecure-local on a public address',
      ['--insecure-local', '--host', '0.0.0.0', '--port', '0'],
      { ADMIN_TOKEN: '' },
      /failed to start: refusing to listen on 0\.0\.0\.0/,
    ],
    [
      'a bad ADMIN_PORT and no --port',
      [],
      { ADMIN_TOKEN: '', ADMIN_PORT: '99999' },
      /failed to start: ADMIN_PORT '99999' is not a port number/,
    ],
  ];
  for (const [title, args, env, message] of failedStarts) {
    it(`refuses to start with ${title}: one line, exit 1`, async () => {
      const admin = runSwitchyard(['admin', ...args], { QUEUE_PROVIDER: 'memory', LOG_LEVEL: 'error', ...env });
      expect(await admin.exited(), admin.stderr()).to.equal(1);
      const lines = admin.stderr().trimEnd().split('\n');
      expect(lines, admin.stderr()).to.have.length(1);
      expect(lines[0])
        .to.match(/^switchyard admin: /)
        .and.match(message);
    });
  }
});
