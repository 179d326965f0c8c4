/**
 * MongoDB outage: the wire server drops every connection and refuses new ones for a
 * while (keeping its data) while an Agenda provider in this process schedules and
 * processes jobs. The provider reports the outage as 'error' events, never as an
 * unhandled rejection or a crash; it resumes on its own once MongoDB is back, and
 * every job that was stored completes. Producer calls the API rejected meanwhile are
 * retried with the same id, and counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ProviderUnavailableError, silentLogger } from '@switchyard/core';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { MongoWireServer } from '../support/mongo-wire-server/index.js';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';
import { waitUntil } from '../support/wait-until.js';
import { recordRun, readLedger } from './support/ledger.js';
import { waitForAllCompleted } from './support/missing-jobs.js';
import { produce } from './support/producers.js';

const JOBS = 600;
const JOB_NAME = 'outage-test';
/** The outage begins once this many jobs have run, while production is still going on. */
const OUTAGE_AFTER_RUNS = 150;
/** At least this long down: longer than the lock lifetime, and than the driver's server selection timeout. */
const OUTAGE_MS = 3000;

describe('reliability: MongoDB outage under load', function () {
  this.timeout(120_000);
  let mongo: StartedMongo;
  /** A server this process can take down: startMongo's wire server, or one of the test's own if startMongo gave another kind. */
  let server: MongoWireServer;
  let ledgerDir: string;
  let provider: AgendaQueueProvider | undefined;
  const unhandled: unknown[] = [];
  const onUnhandledRejection = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    mongo = await startMongo();
    server = mongo.wireServer ?? (await new MongoWireServer().start({ host: '127.0.0.1', port: 0 }));
    ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
    process.on('unhandledRejection', onUnhandledRejection);
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandledRejection);
    if (server.status === 'down') await server.comeBack();
    await provider?.close({ timeoutMs: 1000 }).catch(() => {});
    if (server !== mongo.wireServer) await server.stop();
    await mongo?.stop();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  it(`agenda: ${JOBS} jobs through a ${OUTAGE_MS} ms outage: errors come as 'error' events, no unhandled rejection, every stored job completes`, async () => {
    const ledgerPath = join(ledgerDir, 'ledger.txt');
    let reconnects = 0;
    provider = new AgendaQueueProvider({
      mongoUrl: mongoUriForDatabase(server.uri, uniqueDatabaseName('outage')),
      collection: 'outage_jobs',
      processEveryMs: 200,
      lockLifetimeMs: 2000,
      connectTimeoutMs: 1000,
      // Counts the times the driver's monitor hung on the dropped connections and the provider reconnected its client.
      logger: {
        ...silentLogger,
        warn: (message) => {
          if (/reconnecting it/.test(message)) reconnects += 1;
        },
      },
    });
    const errors: Error[] = [];
    provider.on('error', (error) => errors.push(error));
    await provider.connect();
    provider.registerProcessor(
      {
        name: JOB_NAME,
        async process(job) {
          await sleep(10);
          recordRun(ledgerPath, job.id);
        },
      },
      { concurrency: 5 },
    );
    await provider.start();

    const ids = Array.from({ length: JOBS }, (_, n) => `outage-${String(n).padStart(4, '0')}`);
    const production = produce(provider, JOB_NAME, ids, {
      producers: 2,
      pauseMs: 5,
      retryPauseMs: 100,
      giveUpAfterMs: 30_000,
    });
    await waitUntil(() => readLedger(ledgerPath).ids.size >= OUTAGE_AFTER_RUNS, {
      timeoutMs: 30_000,
      intervalMs: 5,
      message: `${OUTAGE_AFTER_RUNS} jobs run`,
    });
    const downAt = { scheduled: production.scheduled, run: readLedger(ledgerPath).ids.size };
    await server.goDown();
    const wentDown = Date.now();
    await waitUntil(() => errors.length > 0, { timeoutMs: 20_000, message: "an 'error' event during the outage" });
    // Choosing how long the outage lasts, not waiting for an outcome.
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - wentDown)));
    const errorsWhileDown = errors.length;
    const outageMs = Date.now() - wentDown;
    await server.comeBack();
    await production.done;

    await waitForAllCompleted(provider, JOB_NAME, ids, ledgerPath, { timeoutMs: 60_000, intervalMs: 200 });
    const ledger = readLedger(ledgerPath);
    console.log(
      `      [agenda] down at ${downAt.scheduled} scheduled / ${downAt.run} run for ${outageMs} ms; ` +
        `${errorsWhileDown} 'error' events while down; ${production.retries} producer calls rejected and retried; ${reconnects} client reconnects; ${ledger.duplicatedJobs} jobs ran more than once`,
    );
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    expect(errors.every((error) => error instanceof Error)).to.equal(true);
    expect(
      errors.some((error) => error instanceof ProviderUnavailableError),
      errors.map((error) => error.message).join('\n'),
    ).to.equal(true);
    expect(ledger.ids).to.have.lengthOf(JOBS);
    expect(await provider.getStats(JOB_NAME)).to.include({
      completed: JOBS,
      failed: 0,
      waiting: 0,
      active: 0,
      scheduled: 0,
    });
    expect((await provider.checkHealth()).healthy).to.equal(true);
  });
});
