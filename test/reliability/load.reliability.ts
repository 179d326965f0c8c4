/**
 * Load: 50,000 jobs over 20 names, four Bull worker processes. Every job completes,
 * and no worker process ever runs more jobs of one name at once than the concurrency
 * it registered that name with (each worker counts its in-flight attempts per name and
 * reports the highest count when it shuts down). Jobs are scheduled with
 * `scheduleJob`, the call services make, in concurrent batches.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis } from '../support/start-redis.js';
import type { LedgerWorkerSettings } from './fixtures/ledger-worker.js';
import { killHard, runReliabilityFixture, type ScriptProcess } from './support/fixture-process.js';
import { readLedger } from './support/ledger.js';
import { waitForAllCompleted } from './support/missing-jobs.js';

const JOBS = 50_000;
const NAMES = Array.from({ length: 20 }, (_, n) => `load-${String(n).padStart(2, '0')}`);
const WORKERS = 4;
/** Per name, in each worker process. */
const CONCURRENCY = 4;
/** scheduleJob calls in flight at once. */
const BATCH = 500;

describe('reliability: load on bull', function () {
  this.timeout(300_000);

  it(`${JOBS} jobs over ${NAMES.length} names and ${WORKERS} worker processes: all complete, per-name concurrency never exceeded`, async () => {
    const redis = await startRedis();
    const namespace = `load-${randomUUID()}`;
    const ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
    const ledgerPath = join(ledgerDir, 'ledger.txt');
    const producer = new BullQueueProvider({ redisUrl: redis.url, prefix: namespace });
    const workers: ScriptProcess[] = [];
    try {
      const settings: LedgerWorkerSettings = {
        provider: 'bull',
        url: redis.url,
        namespace,
        jobNames: NAMES,
        concurrency: CONCURRENCY,
        ledgerPath,
        workMs: 1,
        tuning: {},
      };
      for (let index = 0; index < WORKERS; index += 1)
        workers.push(runReliabilityFixture('ledger-worker.ts', settings));
      await Promise.all(workers.map((worker) => worker.line(/^ready$/, 30_000)));
      await producer.connect();

      const startedAt = Date.now();
      const ids: string[] = [];
      for (let start = 0; start < JOBS; start += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, JOBS - start) }, (_, offset) => start + offset);
        ids.push(
          ...(await Promise.all(
            batch.map((n) => producer.scheduleJob(NAMES[n % NAMES.length]!, { n }, { jobId: `load-${n}` })),
          )),
        );
      }
      const scheduledMs = Date.now() - startedAt;
      await waitForAllCompleted(producer, undefined, ids, ledgerPath, { timeoutMs: 240_000, intervalMs: 1000 });
      const completedMs = Date.now() - startedAt;

      const highest: Record<string, number>[] = [];
      for (const worker of workers.splice(0)) {
        worker.child.kill('SIGTERM');
        expect(await worker.exited(15_000), worker.stderr()).to.equal(0);
        const line = worker.lines.find((each) => each.startsWith('max-in-flight '));
        expect(line, 'the worker reports its highest in-flight counts').to.be.a('string');
        highest.push(JSON.parse(line!.slice('max-in-flight '.length)) as Record<string, number>);
      }
      const ledger = readLedger(ledgerPath);
      const overall = Math.max(...highest.flatMap((counts) => Object.values(counts)));
      console.log(
        `      [bull] ${JOBS} scheduled in ${scheduledMs} ms, all completed after ${completedMs} ms; ` +
          `highest in-flight per name and process: ${overall} (limit ${CONCURRENCY}); ${ledger.duplicatedJobs} jobs ran more than once`,
      );
      expect(ledger.ids).to.have.lengthOf(JOBS);
      expect(await producer.getStats()).to.include({ completed: JOBS, failed: 0, waiting: 0, active: 0 });
      for (const counts of highest) {
        for (const [name, count] of Object.entries(counts))
          expect(count, `${name} in one worker`).to.be.at.most(CONCURRENCY);
      }
      // The limit was reached, so the check above had something to check.
      expect(overall).to.equal(CONCURRENCY);
    } finally {
      await Promise.all(workers.map(killHard));
      await producer.close({ timeoutMs: 1000 }).catch(() => {});
      rmSync(ledgerDir, { recursive: true, force: true });
    }
  });
});
