/**
 * Redis restart: a redis-server of the test's own with `appendonly yes` and
 * `appendfsync always`, producers in this process and two Bull worker processes at
 * work, and mid-run Redis is stopped (SIGTERM) and started again on the same port.
 * Producers and workers reconnect by themselves (the workers are the same processes
 * at the end), and every job completes, including those produced around the
 * restart. A producer call is retried only when the API rejected it; retries are
 * counted and reported.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Logger } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startOwnRedis, type RedisServer } from '../support/start-redis.js';
import { waitUntil } from '../support/wait-until.js';
import type { LedgerWorkerSettings } from './fixtures/ledger-worker.js';
import { killHard, runReliabilityFixture, type ScriptProcess } from './support/fixture-process.js';
import { readLedger } from './support/ledger.js';
import { waitForAllCompleted } from './support/missing-jobs.js';
import { produce } from './support/producers.js';

const JOBS = 1200;
const JOB_NAME = 'restart-test';
/** The restart comes once this many jobs are scheduled: production goes on through it. */
const RESTART_AFTER = 400;
/** Short lock and stall check: a job whose completion was lost with the connection runs again within seconds. */
const TUNING = { lockDurationMs: 2000, stalledIntervalMs: 1000 };

describe('reliability: Redis restarted under load', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let ledgerDir: string;
  const workers: ScriptProcess[] = [];
  let producer: BullQueueProvider | undefined;

  before(async () => {
    redis = await startOwnRedis({ persistent: true });
    ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
  });

  after(async () => {
    await Promise.all(workers.map(killHard));
    await producer?.close({ timeoutMs: 1000 }).catch(() => {});
    await redis?.stop();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  it(`bull: ${JOBS} jobs produced across a SIGTERM restart of an appendonly Redis all complete; producers and workers reconnect on their own`, async () => {
    const namespace = `restart-${randomUUID()}`;
    const ledgerPath = join(ledgerDir, 'ledger.txt');
    const settings: LedgerWorkerSettings = {
      provider: 'bull',
      url: redis.url,
      namespace,
      jobNames: [JOB_NAME],
      concurrency: 5,
      ledgerPath,
      workMs: 5,
      tuning: TUNING,
    };
    for (let index = 0; index < 2; index += 1) workers.push(runReliabilityFixture('ledger-worker.ts', settings));
    await Promise.all(workers.map((worker) => worker.line(/^ready$/, 30_000)));
    // Counts the jobs the provider had to add again because their claim's reply was lost with the connection.
    let claimsWithoutJob = 0;
    const logger: Logger = {
      error: () => {},
      info: () => {},
      debug: () => {},
      warn: (message) => {
        if (/claimed without its job/.test(message)) claimsWithoutJob += 1;
      },
    };
    producer = new BullQueueProvider({ redisUrl: redis.url, prefix: namespace, logger, ...TUNING });
    const producerErrors: Error[] = [];
    producer.on('error', (error) => producerErrors.push(error));
    await producer.connect();

    const ids = Array.from({ length: JOBS }, (_, n) => `restart-${String(n).padStart(4, '0')}`);
    const production = produce(producer, JOB_NAME, ids, {
      producers: 4,
      pauseMs: 5,
      retryPauseMs: 100,
      giveUpAfterMs: 30_000,
    });
    await waitUntil(() => production.scheduled >= RESTART_AFTER, {
      timeoutMs: 30_000,
      intervalMs: 5,
      message: `${RESTART_AFTER} jobs scheduled`,
    });
    const restartedAt = { scheduled: production.scheduled, run: readLedger(ledgerPath).ids.size };
    await redis.restart();
    await production.done;

    await waitForAllCompleted(producer, JOB_NAME, ids, ledgerPath, { timeoutMs: 60_000, intervalMs: 200 });
    const ledger = readLedger(ledgerPath);
    console.log(
      `      [bull] restart at ${restartedAt.scheduled} scheduled / ${restartedAt.run} run; ${production.retries} producer calls rejected and retried; ` +
        `${producerErrors.length} producer 'error' events; ${claimsWithoutJob} ids claimed without their job; ${ledger.duplicatedJobs} jobs ran more than once`,
    );
    expect(ledger.ids).to.have.lengthOf(JOBS);
    expect(await producer.getStats(JOB_NAME)).to.include({
      completed: JOBS,
      failed: 0,
      waiting: 0,
      active: 0,
      scheduled: 0,
    });
    // The workers lived through the restart: the same processes, still running.
    for (const worker of workers) expect(worker.child.exitCode, worker.stderr()).to.equal(null);
    for (const worker of workers.splice(0)) {
      worker.child.kill('SIGTERM');
      expect(await worker.exited(15_000), worker.stderr()).to.equal(0);
    }
  });
});
