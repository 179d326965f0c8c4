import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { ProviderUnavailableError, type Logger } from '@switchyard/core';
import { EventRecorder, recordingProcessor, rejectionOf, settlesWithin } from '@switchyard/core/testing';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startOwnRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { runScript } from '../../../test/support/script-process.js';
import { freeLoopbackPort as closedPort } from '../../../test/support/free-port.js';

/** `connect()` and calls must give up within a few seconds; this is the bound the tests hold them to. */
const UNAVAILABLE_DEADLINE_MS = 5_000;

function spyLogger(): Logger & Record<keyof Logger, sinon.SinonSpy> {
  return { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy() };
}

function everythingLogged(logger: Logger & Record<keyof Logger, sinon.SinonSpy>): string {
  return (['error', 'warn', 'info', 'debug'] as const)
    .flatMap((level) => logger[level].getCalls().map((call) => JSON.stringify(call.args)))
    .join('\n');
}

describe('BullQueueProvider: Redis unreachable', function () {
  this.timeout(30_000);
  const providers: BullQueueProvider[] = [];

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  function provider(redisUrl: string, options: { logger?: Logger; commandTimeoutMs?: number } = {}): BullQueueProvider {
    const made = new BullQueueProvider({
      redisUrl,
      prefix: `outage-${randomUUID()}`,
      connectTimeoutMs: 2000,
      ...options,
    });
    providers.push(made);
    return made;
  }

  it('rejects connect() to a closed port with ProviderUnavailableError naming host:port, within the deadline', async () => {
    const port = await closedPort();
    const startedAt = Date.now();
    const error = await rejectionOf(() => provider(`redis://127.0.0.1:${port}`).connect());

    expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
    expect(error).to.be.instanceOf(ProviderUnavailableError);
    const unavailable = error as ProviderUnavailableError;
    expect([unavailable.host, unavailable.port]).to.deep.equal(['127.0.0.1', port]);
    expect(unavailable.message).to.include(`127.0.0.1:${port}`);
  });

  describe('with a password-protected redis-server of its own', () => {
    const password = `s3cret-${randomUUID()}`;
    let redis: RedisServer;
    let port: number;

    before(async () => {
      redis = await startOwnRedis({ password });
      port = Number(new URL(redis.url).port);
    });

    after(async () => {
      await redis.stop();
    });

    it('rejects connect() with a wrong password: ProviderUnavailableError with host:port, never the password', async () => {
      const wrong = `wrong-${randomUUID()}`;
      const logger = spyLogger();
      const startedAt = Date.now();
      const error = await rejectionOf(() => provider(`redis://:${wrong}@127.0.0.1:${port}`, { logger }).connect());

      expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      const message = (error as Error).message;
      expect(message).to.include(`127.0.0.1:${port}`);
      expect(message).to.match(/WRONGPASS|NOAUTH|auth/i);
      expect(message).not.to.include(wrong);
      expect(String((error as Error).stack)).not.to.include(wrong);
      expect(everythingLogged(logger)).not.to.include(wrong);
    });

    it('connects with the right password, and logs nothing that holds it', async () => {
      const logger = spyLogger();
      const connected = provider(redis.url, { logger });
      await connected.connect();
      await connected.scheduleJob('check', {});

      expect((await connected.checkHealth()).healthy).to.equal(true);
      expect(everythingLogged(logger)).not.to.include(password);
    });
  });

  describe('while its redis-server hangs (suspended, connections open)', () => {
    const COMMAND_TIMEOUT_MS = 500;
    let redis: RedisServer;

    beforeEach(async () => {
      redis = await startOwnRedis();
    });

    afterEach(async () => {
      redis.thaw();
      await redis.stop();
    });

    const hanging = () => provider(redis.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS });

    it('rejects calls with ProviderUnavailableError once Redis has answered nothing for commandTimeoutMs', async () => {
      const stuck = hanging();
      await stuck.connect();
      await stuck.scheduleJob('report', {});
      redis.freeze();

      for (const call of [
        () => stuck.scheduleJob('report', {}),
        () => stuck.getJob('any'),
        () => stuck.getStats('report'),
      ]) {
        const startedAt = performance.now();
        const error = await rejectionOf(call);
        const waitedMs = performance.now() - startedAt;
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        expect((error as Error).message).to.include(new URL(redis.url).host);
        // Each call is sent after the last one failed: it waits its own timeout, and no
        // more than the two checks (a tenth of the timeout each) that see it.
        expect(waitedMs).to.be.at.least(COMMAND_TIMEOUT_MS - 5);
        expect(waitedMs).to.be.at.most(COMMAND_TIMEOUT_MS * 1.2 + 500);
      }
    });

    it('answers again once Redis does, each reply reaching its own command', async () => {
      const processor = recordingProcessor('report', (job) => job.data);
      const stuck = hanging();
      stuck.on('error', () => {}); // the worker's commands time out too; this test is about calls
      const events = new EventRecorder(stuck);
      stuck.registerProcessor(processor);
      await stuck.connect();
      await stuck.start();
      const before = await stuck.scheduleJob('report', { n: 'before' });
      await events.completion(before, 5_000);

      redis.freeze();
      const error = await rejectionOf(() => stuck.scheduleJob('report', { n: 'while hung' }, { jobId: 'hung' }));
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      redis.thaw();

      // The timed-out commands' late replies are read first; a reply matched to the
      // wrong command would show here as a wrong id or a wrong job.
      const after = await stuck.scheduleJob('report', { n: 'after' }, { jobId: 'after' });
      expect(after).to.equal('after');
      expect((await events.completion(after, 10_000)).result).to.deep.equal({ n: 'after' });
      const job = await stuck.getJob('after');
      expect(job?.data).to.deep.equal({ n: 'after' });
    });

    it('resolves close() promptly while Redis hangs, with a worker running', async () => {
      const stuck = hanging();
      stuck.on('error', () => {});
      stuck.registerProcessor(recordingProcessor('report'));
      await stuck.connect();
      await stuck.start();
      redis.freeze();

      await settlesWithin(stuck.close({ timeoutMs: 500 }), UNAVAILABLE_DEADLINE_MS, 'close() with Redis hung');
    });
  });

  describe('while its redis-server is stopped and restarted', () => {
    let redis: RedisServer;

    beforeEach(async () => {
      redis = await startOwnRedis();
    });

    afterEach(async () => {
      await redis.stop();
    });

    it('rejects calls made while Redis is down with ProviderUnavailableError, within the deadline', async () => {
      const down = provider(redis.url);
      await down.connect();
      await redis.stop();

      for (const call of [
        () => down.scheduleJob('report', {}),
        () => down.getJob('any'),
        () => down.getStats('report'),
      ]) {
        const startedAt = Date.now();
        const error = await rejectionOf(call);
        expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        expect((error as Error).message).to.include(new URL(redis.url).host);
      }
      const health = await down.checkHealth();
      expect(health.healthy).to.equal(false);
      expect(health.error).to.be.a('string');
    });

    it('resolves close() promptly while Redis is down, with a worker running', async () => {
      const down = provider(redis.url);
      down.on('error', () => {}); // the outage is reported; this test is about close()
      down.registerProcessor(recordingProcessor('report'));
      await down.connect();
      await down.start();
      await redis.stop();

      await settlesWithin(down.close({ timeoutMs: 500 }), UNAVAILABLE_DEADLINE_MS, 'close() with Redis down');
    });

    it('lets the process exit after close() while Redis is down: no reconnect timer keeps it alive', async () => {
      const script = runScript(new URL('./fixtures/close-while-down.ts', import.meta.url), [
        redis.url,
        `outage-${randomUUID()}`,
      ]);
      await script.line(/^ready$/, 15_000);
      await redis.stop();
      script.child.stdin!.end('close\n');

      await script.line(/^closed$/, UNAVAILABLE_DEADLINE_MS);
      expect(await script.exited(UNAVAILABLE_DEADLINE_MS)).to.equal(0);
    });

    it('processes jobs scheduled after the Redis process is restarted', async () => {
      const processor = recordingProcessor('report', (job) => job.data);
      const survivor = provider(redis.url);
      const errors: Error[] = [];
      survivor.on('error', (error) => errors.push(error));
      const events = new EventRecorder(survivor);
      survivor.registerProcessor(processor);
      await survivor.connect();
      await survivor.start();
      const before = await survivor.scheduleJob('report', { n: 'before' });
      await events.completion(before, 5_000);

      await redis.restart();
      // The connections come back on their own; a call may fail until they have.
      let after: string | undefined;
      const deadline = Date.now() + 10_000;
      while (after === undefined) {
        try {
          after = await survivor.scheduleJob('report', { n: 'after' });
        } catch (error) {
          if (!(error instanceof ProviderUnavailableError) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100)); // poll interval, not an assertion
        }
      }
      const delayed = await survivor.scheduleJob('report', { n: 'delayed after' }, { delayMs: 200 });

      expect((await events.completion(after, 10_000)).result).to.deep.equal({ n: 'after' });
      expect((await events.completion(delayed, 10_000)).result).to.deep.equal({ n: 'delayed after' });
      expect(errors.map((error) => error.message).join('\n')).not.to.include('password');
    });
  });
});
