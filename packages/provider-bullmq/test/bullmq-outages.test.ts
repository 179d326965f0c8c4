import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ProviderUnavailableError, type Logger } from '@switchyard/core';
import { rejectionOf, settlesWithin, waitFor } from '@switchyard/core/testing';
import { BullMQQueueProvider, type BullMQQueueProviderOptions } from '@switchyard/provider-bullmq';
import { startOwnRedis } from '../../../test/support/start-redis.js';
import { startOwnPostgres } from '../../../test/support/start-postgres.js';
import { freeLoopbackPort as closedPort } from '../../../test/support/free-port.js';
import { everythingLogged, spyLogger } from '../../../test/support/spy-logger.js';

/** `connect()` and calls must give up within a few seconds; this is the bound the tests hold them to. */
const UNAVAILABLE_DEADLINE_MS = 5_000;

interface OwnServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** What differs between the two backends in these tests. */
interface Backend {
  title: string;
  /** Connection options for a server at `url` (a fresh prefix or schema each time). */
  options(url: string): BullMQQueueProviderOptions;
  closedUrl(port: number, password?: string): string;
  /** A server of the test's own, with a password: its URL with `password` put in, stop(). */
  ownServer(password: string): Promise<OwnServer>;
  wrongPassword: RegExp;
}

const backends: Backend[] = [
  {
    title: 'Redis',
    options: (redisUrl) => ({ backend: 'redis', redisUrl, prefix: `outage-${randomUUID()}` }),
    closedUrl: (port, password) => `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${port}`,
    ownServer: async (password) => {
      const server = await startOwnRedis({ password, quiet: true });
      return { url: server.url, port: Number(new URL(server.url).port), stop: () => server.stop() };
    },
    wrongPassword: /WRONGPASS|NOAUTH|auth/i,
  },
  {
    title: 'PostgreSQL',
    options: (databaseUrl) => ({ backend: 'postgres', databaseUrl, schema: `outage_${randomUUID().slice(0, 8)}` }),
    closedUrl: (port, password) =>
      `postgres://postgres${password === undefined ? '' : `:${password}`}@127.0.0.1:${port}/postgres`,
    ownServer: async (password) => {
      const server = await startOwnPostgres({ password, quiet: true });
      return { url: server.url, port: Number(new URL(server.url).port), stop: () => server.stop() };
    },
    wrongPassword: /password authentication failed/i,
  },
];

for (const backend of backends) {
  describe(`BullMQQueueProvider: ${backend.title} unreachable`, function () {
    this.timeout(60_000);
    const providers: BullMQQueueProvider[] = [];

    afterEach(async () => {
      await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
    });

    function provider(url: string, logger?: Logger): BullMQQueueProvider {
      const made = new BullMQQueueProvider({
        ...backend.options(url),
        connectTimeoutMs: 2000,
        commandTimeoutMs: 2000,
        ...(logger ? { logger } : {}),
      });
      providers.push(made);
      return made;
    }

    it('rejects connect() to a closed port with ProviderUnavailableError naming host:port, within the deadline', async () => {
      const port = await closedPort();
      const startedAt = Date.now();
      const error = await rejectionOf(() => provider(backend.closedUrl(port)).connect());

      expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
      expect(error).to.be.instanceOf(ProviderUnavailableError);
      const unavailable = error as ProviderUnavailableError;
      expect([unavailable.provider, unavailable.host, unavailable.port]).to.deep.equal(['bullmq', '127.0.0.1', port]);
      expect(unavailable.message).to.include(`127.0.0.1:${port}`);
    });

    it('never puts the password of a URL in the error of a refused connection', async () => {
      const port = await closedPort();
      const password = `s3cret-${randomUUID()}`;
      const logger = spyLogger();
      const error = await rejectionOf(() => provider(backend.closedUrl(port, password), logger).connect());

      expect(error).to.be.instanceOf(ProviderUnavailableError);
      expect((error as Error).message).not.to.include(password);
      expect(String((error as Error).stack)).not.to.include(password);
      expect(everythingLogged(logger)).not.to.include(password);
      const health = await provider(backend.closedUrl(port, password)).checkHealth();
      expect(health.healthy).to.equal(false);
      expect(health.error).to.include(`127.0.0.1:${port}`).and.not.include(password);
    });

    /** A password-protected server for the enclosing group, started before it and stopped after it. */
    function ownServerFor(password: string): () => OwnServer {
      let server: OwnServer | undefined;
      before(async function () {
        this.timeout(60_000);
        server = await backend.ownServer(password);
      });
      after(async () => {
        await server?.stop();
      });
      return () => server!;
    }

    describe('with a password-protected server of its own', () => {
      const password = `s3cret-${randomUUID()}`;
      const own = ownServerFor(password);

      it('rejects a wrong password: ProviderUnavailableError with host:port, never the password', async () => {
        const wrong = `wrong-${randomUUID()}`;
        const logger = spyLogger();
        const startedAt = Date.now();
        const error = await rejectionOf(() => provider(backend.closedUrl(own().port, wrong), logger).connect());

        expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        const message = (error as Error).message;
        expect(message).to.include(`127.0.0.1:${own().port}`);
        expect(message).to.match(backend.wrongPassword);
        expect(message).not.to.include(wrong);
        expect(everythingLogged(logger)).not.to.include(wrong);
      });

      it('connects with the right password, and once the server stops, calls reject with ProviderUnavailableError within the deadline', async () => {
        const logger = spyLogger();
        const queue = provider(own().url, logger);
        await queue.connect();
        const id = await queue.scheduleJob('outage', { n: 1 }, { delayMs: 60_000 });
        expect((await queue.getJob(id))?.data).to.deep.equal({ n: 1 });

        await own().stop();
        const startedAt = Date.now();
        const error = await rejectionOf(() => queue.scheduleJob('outage', { n: 2 }));
        expect(Date.now() - startedAt).to.be.at.most(UNAVAILABLE_DEADLINE_MS);
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        expect((error as Error).message)
          .to.include(`127.0.0.1:${own().port}`)
          .and.not.include(password);
        expect((await queue.checkHealth()).healthy).to.equal(false);
        await settlesWithin(queue.close({ timeoutMs: 100 }), UNAVAILABLE_DEADLINE_MS, 'close() with the server down');
        expect(everythingLogged(logger)).not.to.include(password);
      });
    });

    describe('with workers running on a password-protected server of its own', () => {
      const password = `s3cret-${randomUUID()}`;
      const own = ownServerFor(password);

      it("reports the server stopping as 'error' events of ProviderUnavailableError naming host:port, never the password; close() settles within the deadline", async () => {
        const logger = spyLogger();
        const queue = provider(own().url, logger);
        const errors: Error[] = [];
        queue.on('error', (error) => errors.push(error));
        await queue.connect();
        queue.registerProcessor({ name: 'outage', process: async () => 'done' });
        await queue.start();
        const id = await queue.scheduleJob('outage', null);
        await waitFor(async () => (await queue.getJob(id))?.state === 'completed', {
          timeoutMs: UNAVAILABLE_DEADLINE_MS,
          message: 'the job to complete',
        });

        await own().stop();
        await waitFor(() => errors.length > 0, {
          timeoutMs: UNAVAILABLE_DEADLINE_MS,
          message: "an 'error' event once the server is gone",
        });
        await settlesWithin(queue.close({ timeoutMs: 100 }), UNAVAILABLE_DEADLINE_MS, 'close() with the server down');
        for (const error of errors) {
          expect(error, error.message).to.be.instanceOf(ProviderUnavailableError);
          expect(error.message).to.include(`127.0.0.1:${own().port}`);
          expect(`${error.message}\n${error.stack ?? ''}`).not.to.include(password);
        }
        expect(everythingLogged(logger)).not.to.include(password);
      });
    });
  });
}
