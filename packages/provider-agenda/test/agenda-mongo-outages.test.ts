import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { ProviderUnavailableError, type Logger } from '@switchyard/core';
import { rejectionOf, waitFor } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { MongoClient, ObjectId } from 'mongodb';
import type { JobParameters } from 'agenda';
import { SharedDbAgendaBackend } from '../src/shared-db-agenda-backend.js';
import { AgendaStateSaves } from '../src/agenda-state-saves.js';
import {
  mongoUriForDatabase,
  startMongo,
  uniqueDatabaseName,
  type StartedMongo,
} from '../../../test/support/start-mongo.js';
import { freeLoopbackPort as closedPort } from '../../../test/support/free-port.js';

const PASSWORD = 'pa55-w0rd-that-must-not-leak';
const CONNECT_TIMEOUT_MS = 1000;
/** connect() and calls while down must give up within this (the timeout plus room for a loaded machine). */
const DEADLINE_MS = CONNECT_TIMEOUT_MS + 2500;

function spyLogger(): Logger & Record<keyof Logger, sinon.SinonSpy> {
  return { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy() };
}

/** Everything a spy logger was given, as one string to search for secrets. */
function everythingLogged(logger: Record<keyof Logger, sinon.SinonSpy>): string {
  return Object.values(logger)
    .flatMap((spy) => spy.getCalls().map((call) => JSON.stringify(call.args)))
    .join('\n');
}

/** `mongodb://host:port/db` with a user and PASSWORD put in. */
function withCredentials(uri: string): string {
  return uri.replace('mongodb://', `mongodb://switchyard:${encodeURIComponent(PASSWORD)}@`);
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await action();
  return { value, ms: Date.now() - started };
}

describe('AgendaQueueProvider: MongoDB unreachable', function () {
  this.timeout(20_000);
  let mongo: StartedMongo;
  let mongoUrl: string;
  const providers: AgendaQueueProvider[] = [];

  before(async () => {
    mongo = await startMongo();
    mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_outages'));
  });

  after(async () => {
    await mongo?.stop();
  });

  afterEach(async () => {
    if (mongo.wireServer?.status === 'down') await mongo.wireServer.comeBack();
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  function provider(url: string, logger?: Logger): AgendaQueueProvider {
    const made = new AgendaQueueProvider({
      mongoUrl: url,
      collection: `outage_${randomUUID()}`,
      processEveryMs: 100,
      lockLifetimeMs: 1000,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      ...(logger === undefined ? {} : { logger }),
    });
    providers.push(made);
    return made;
  }

  it('rejects connect() to a closed port with ProviderUnavailableError naming host and port, never the password', async () => {
    const port = await closedPort();
    const logger = spyLogger();
    const queue = provider(`mongodb://switchyard:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/jobs`, logger);

    const { value: error, ms } = await timed(() => rejectionOf(() => queue.connect()));
    expect(error).to.be.instanceOf(ProviderUnavailableError);
    expect(ms).to.be.below(DEADLINE_MS);
    const unavailable = error as ProviderUnavailableError;
    expect(unavailable).to.deep.include({ provider: 'agenda', host: '127.0.0.1', port });
    expect(unavailable.message).to.include(`127.0.0.1:${port}`);
    expect(unavailable.message).not.to.include(PASSWORD);
    expect(String(unavailable.stack)).not.to.include(PASSWORD);
    expect(everythingLogged(logger)).not.to.include(PASSWORD);
  });

  it('rejects connect() with wrong credentials with ProviderUnavailableError, never the password', async () => {
    const logger = spyLogger();
    const queue = provider(withCredentials(mongoUrl), logger);

    const { value: error, ms } = await timed(() => rejectionOf(() => queue.connect()));
    expect(error).to.be.instanceOf(ProviderUnavailableError);
    expect(ms).to.be.below(DEADLINE_MS);
    expect((error as Error).message).to.match(/auth/i);
    expect((error as Error).message).not.to.include(PASSWORD);
    expect(everythingLogged(logger)).not.to.include(PASSWORD);
  });

  describe('when MongoDB goes down after connect()', function () {
    before(function () {
      // Only a server this process runs can be taken down.
      if (mongo.wireServer === undefined) this.skip();
    });

    it('rejects calls with ProviderUnavailableError within the timeout, and serves again once it is back', async () => {
      const queue = provider(mongoUrl);
      await queue.connect();
      const id = await queue.scheduleJob('report', { n: 1 }, { delayMs: 60_000 });
      await mongo.wireServer!.goDown();

      const exportAll = async () => {
        for await (const snapshot of queue.exportJobs()) expect.fail(`exported ${snapshot.id} while MongoDB is down`);
      };
      for (const call of [
        () => queue.scheduleJob('report', {}),
        () => queue.getJob(id),
        () => queue.getStats('report'),
        exportAll,
      ]) {
        const { value: error, ms } = await timed(() => rejectionOf(call));
        expect(error).to.be.instanceOf(ProviderUnavailableError);
        expect((error as Error).message).to.include(`127.0.0.1:${mongo.wireServer!.port}`);
        expect(ms).to.be.below(DEADLINE_MS);
      }
      expect((await queue.checkHealth()).healthy).to.equal(false);

      await mongo.wireServer!.comeBack();
      await waitFor(async () => (await queue.checkHealth()).healthy, {
        timeoutMs: 10_000,
        intervalMs: 50,
        message: 'health to recover',
      });
      expect((await queue.getJob(id))?.state).to.equal('scheduled');
    });

    it("reports Agenda's polling errors to an 'error' listener, and only logs them when nobody listens", async () => {
      const logger = spyLogger();
      const quiet = provider(mongoUrl, logger);
      const heard = provider(mongoUrl);
      const errors: Error[] = [];
      heard.on('error', (error) => errors.push(error));
      for (const queue of [quiet, heard]) {
        await queue.connect();
        queue.registerProcessor({ name: 'report', process: async () => undefined });
        await queue.start();
      }
      await mongo.wireServer!.goDown();

      // Reaching the assertions at all shows that an 'error' with no listener did not crash the process.
      await waitFor(() => errors.length > 0 && logger.error.called, {
        timeoutMs: 10_000,
        message: 'polling errors while down',
      });
      expect(errors[0]).to.be.instanceOf(ProviderUnavailableError);
      expect(logger.error.firstCall.args[1]).to.include({ provider: 'agenda' });
    });

    it('reports a failed unlock (which Agenda neither awaits nor catches) instead of rejecting', async () => {
      const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS });
      await client.connect();
      try {
        const failures: unknown[] = [];
        const collection = `unlock_${randomUUID()}`;
        const saves = new AgendaStateSaves(client.db().collection(collection));
        const backend = new SharedDbAgendaBackend(client.db(), collection, saves, (error) => failures.push(error));
        await backend.connect();
        await mongo.wireServer!.goDown();

        // Resolving here is the point: a rejection would be unhandled inside Agenda.
        await backend.repository.unlockJob({ _id: new ObjectId(), name: 'report' } as unknown as JobParameters);
        expect(failures).to.have.length(1);
        expect(String(failures[0])).to.match(/Mongo/);
      } finally {
        await client.close();
      }
    });

    it('closes without hanging while MongoDB is down', async () => {
      const queue = provider(mongoUrl);
      await queue.connect();
      queue.registerProcessor({ name: 'report', process: async () => undefined });
      await queue.start();
      await mongo.wireServer!.goDown();

      const { ms } = await timed(() => queue.close({ timeoutMs: 100 }));
      expect(ms).to.be.below(DEADLINE_MS + 2000);
    });
  });
});
