import { runProviderContract } from '@switchyard/core/testing';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres, type PostgresServer } from '../support/start-postgres.js';

let postgres: PostgresServer;
let schemas = 0;

before(async function () {
  this.timeout(60_000);
  postgres = await startPostgres();
});

// Each provider gets a schema of its own (BullMQ's migrations make its tables there): isolated storage on one server.
runProviderContract('bullmq', {
  makeProvider: (common) =>
    new BullMQQueueProvider({
      ...common,
      backend: 'postgres',
      databaseUrl: postgres.url,
      schema: `contract_${process.pid}_${(schemas += 1)}`,
    }),
  // A worker waits on LISTEN/NOTIFY and re-arms for the next due job, so a due job starts within a few ms; slack for the round trips.
  schedulingToleranceMs: 500,
});
