import { runProviderContract } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';

/** Polls 10 times a second: quick tests, and a tolerance a few polls wide. */
const PROCESS_EVERY_MS = 100;

describe('agenda provider on MongoDB', function () {
  let mongo: StartedMongo;
  let uri: string;
  let collections = 0;

  before(async function () {
    this.timeout(30_000);
    mongo = await startMongo();
    uri = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_contract'));
  });

  after(async function () {
    await mongo?.stop();
  });

  // Every provider gets a collection of its own in one database: isolated jobs, pauses and indexes.
  runProviderContract('agenda', {
    makeProvider: (common) =>
      new AgendaQueueProvider({
        ...common,
        mongoUrl: uri,
        collection: `jobs_${process.pid}_${(collections += 1)}`,
        processEveryMs: PROCESS_EVERY_MS,
        lockLifetimeMs: 5000,
        connectTimeoutMs: 2000,
      }),
    // A job due before the next poll is started by a local timer; the worst case is one poll late, plus MongoDB round trips.
    schedulingToleranceMs: 3 * PROCESS_EVERY_MS,
  });
});
