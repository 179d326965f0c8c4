/**
 * A server restarted under load: producers in this process and two worker processes at
 * work on one provider, and mid-run the server goes away and comes back on the same
 * port (the caller's `restart`). Producers and workers reconnect by themselves (the
 * workers are the same processes at the end), and every job completes, including those
 * produced around the restart. A producer call is retried only when the API rejected
 * it; retries are counted and reported.
 */
import { expect } from 'chai';
import type { Logger, QueueProvider } from '@switchyard/core';
import { waitUntil } from '../../support/wait-until.js';
import type { LedgerWorkerSettings } from '../fixtures/ledger-worker.js';
import { killHard, runReliabilityFixture, type ScriptProcess } from './fixture-process.js';
import { readLedger } from './ledger.js';
import { waitForAllCompleted } from './missing-jobs.js';
import { produce } from './producers.js';
import { providerByName, type ProviderPlace } from './provider-by-name.js';

export const RESTART_JOBS = 1200;
const JOB_NAME = 'restart-test';
/** The restart comes once this many jobs are scheduled: production goes on through it. */
const RESTART_AFTER = 400;
/** Short lock and stall check: a job whose completion was lost with the connection runs again within seconds. */
const TUNING = { lockDurationMs: 2000, stalledIntervalMs: 1000 };

export interface RestartUnderLoad extends Omit<ProviderPlace, 'options'> {
  ledgerPath: string;
  /** Takes the server down and brings it back on the same port. */
  restart: () => Promise<void>;
}

export async function jobsAcrossRestart({ ledgerPath, restart, ...place }: RestartUnderLoad): Promise<void> {
  const settings: LedgerWorkerSettings = {
    ...place,
    jobNames: [JOB_NAME],
    concurrency: 5,
    ledgerPath,
    workMs: 5,
    tuning: TUNING,
  };
  const workers: ScriptProcess[] = [];
  let producer: QueueProvider | undefined;
  try {
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
    producer = await providerByName({ ...place, options: { logger, ...TUNING } });
    const producerErrors: Error[] = [];
    producer.on('error', (error) => producerErrors.push(error));
    await producer.connect();

    const ids = Array.from({ length: RESTART_JOBS }, (_, n) => `restart-${String(n).padStart(4, '0')}`);
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
    await restart();
    await production.done;

    await waitForAllCompleted(producer, JOB_NAME, ids, ledgerPath, { timeoutMs: 60_000, intervalMs: 200 });
    const ledger = readLedger(ledgerPath);
    console.log(
      `      [${place.provider}] restart at ${restartedAt.scheduled} scheduled / ${restartedAt.run} run; ${production.retries} producer calls rejected and retried; ` +
        `${producerErrors.length} producer 'error' events; ${claimsWithoutJob} ids claimed without their job; ${ledger.duplicatedJobs} jobs ran more than once`,
    );
    expect(ledger.ids).to.have.lengthOf(RESTART_JOBS);
    expect(await producer.getStats(JOB_NAME)).to.include({
      completed: RESTART_JOBS,
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
  } finally {
    await Promise.all(workers.map(killHard));
    await producer?.close({ timeoutMs: 1000 }).catch(() => {});
  }
}
