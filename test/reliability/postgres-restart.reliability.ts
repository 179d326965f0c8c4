/**
 * PostgreSQL restart: a cluster of the test's own that acknowledges a commit once it is
 * written (`durable`), crashed and recovered on the same port (`pg_ctl restart -m
 * immediate`) while BullMQ producers and worker processes are at work on it
 * (`jobsAcrossRestart`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOwnPostgres, type PostgresServer } from '../support/start-postgres.js';
import { jobsAcrossRestart, RESTART_JOBS } from './support/restart-under-load.js';

describe('reliability: PostgreSQL restarted under load', function () {
  this.timeout(120_000);
  let postgres: PostgresServer;
  let ledgerDir: string;

  before(async () => {
    postgres = await startOwnPostgres({ durable: true });
    ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
  });

  after(async () => {
    await postgres?.stop();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  it(`bullmq-postgres: ${RESTART_JOBS} jobs produced across a pg_ctl restart -m immediate all complete; producers and workers reconnect on their own`, async () => {
    await jobsAcrossRestart({
      provider: 'bullmq-postgres',
      url: postgres.url,
      namespace: 'restart_jobs',
      ledgerPath: join(ledgerDir, 'ledger.txt'),
      restart: () => postgres.restart(),
    });
  });
});
