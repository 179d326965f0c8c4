/**
 * Worker crash: 1,000 jobs, two worker processes, and three times one of them (picked
 * at random) is killed with SIGKILL at a random point of the run and started again.
 * In the end every job has completed (the ledger, written by the processors, holds
 * every id, and the provider says completed), at least once: duplicates are counted
 * and reported, loss fails the test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { QueueProvider } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { startRedis } from '../support/start-redis.js';
import { startPostgres } from '../support/start-postgres.js';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';
import { waitUntil } from '../support/wait-until.js';
import type { LedgerWorkerSettings } from './fixtures/ledger-worker.js';
import { killHard, runReliabilityFixture, type ScriptProcess } from './support/fixture-process.js';
import { readLedger } from './support/ledger.js';
import { providerByName, type ReliabilityProvider } from './support/provider-by-name.js';
import { reliabilitySeed, seededRandom } from './support/seeded-random.js';

const JOBS = 1000;
const WORKERS = 2;
const KILLS = 3;
const JOB_NAME = 'crash-test';

interface CrashScenario {
  provider: ReliabilityProvider;
  /** Sized so the run lasts several worker restarts (a restart takes 1-2 s), yet stays short. */
  concurrency: number;
  workMs: number;
  /** A producer on the same storage as the workers, and the workers' settings. */
  setUp(): Promise<{
    producer: QueueProvider;
    url: string;
    namespace: string;
    tuning: Record<string, number>;
    tearDown: () => Promise<void>;
  }>;
}

let mongo: StartedMongo | undefined;

/**
 * BullMQ tuned as Bull is below, for the same reasons: a killed worker's lock expires in
 * 2 s, the stalled check runs every second, and no job fails for having stalled on
 * every killed worker (BullMQ's default maxStalledCount is 1 too).
 */
function bullmqScenario(provider: 'bullmq-redis' | 'bullmq-postgres', server: () => Promise<{ url: string }>) {
  return {
    provider,
    concurrency: 4,
    workMs: 60,
    async setUp() {
      const { url } = await server();
      const namespace = provider === 'bullmq-redis' ? `crash-${randomUUID()}` : `crash_${process.pid}_${Date.now()}`;
      const tuning = { lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: KILLS + 1 };
      const producer = await providerByName({ provider, url, namespace, options: tuning });
      return { producer, url, namespace, tuning, tearDown: async () => {} };
    },
  } satisfies CrashScenario;
}

const scenarios: CrashScenario[] = [
  {
    provider: 'bull',
    concurrency: 4,
    workMs: 60,
    async setUp() {
      const redis = await startRedis();
      const namespace = `crash-${randomUUID()}`;
      // A short lock and stall check so a killed worker's jobs come back within seconds;
      // maxStalledCount above the number of kills, so no job is failed for having been
      // on a killed worker more than once (Bull's default, 1, would fail it: see docs/guarantees.md).
      const tuning = { lockDurationMs: 2000, stalledIntervalMs: 1000, maxStalledCount: KILLS + 1 };
      const producer = new BullQueueProvider({ redisUrl: redis.url, prefix: namespace, ...tuning });
      return { producer, url: redis.url, namespace, tuning, tearDown: async () => {} };
    },
  },
  {
    provider: 'agenda',
    concurrency: 10,
    workMs: 25,
    async setUp() {
      mongo ??= await startMongo();
      const url = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('crash'));
      const namespace = 'crash_jobs';
      const tuning = { processEveryMs: 250, lockLifetimeMs: 2000 };
      const producer = new AgendaQueueProvider({ mongoUrl: url, collection: namespace, ...tuning });
      return { producer, url, namespace, tuning, tearDown: async () => {} };
    },
  },
  bullmqScenario('bullmq-redis', startRedis),
  bullmqScenario('bullmq-postgres', startPostgres),
];

describe('reliability: worker processes killed with SIGKILL', function () {
  this.timeout(180_000);

  after(async () => {
    await mongo?.stop();
  });

  for (const scenario of scenarios) {
    it(`${scenario.provider}: ${JOBS} jobs, ${KILLS} random SIGKILLs of ${WORKERS} workers, every job completes (at least once)`, async () => {
      const seed = reliabilitySeed();
      const random = seededRandom(seed);
      const { producer, url, namespace, tuning, tearDown } = await scenario.setUp();
      const ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
      const ledgerPath = join(ledgerDir, 'ledger.txt');
      const workers: ScriptProcess[] = [];
      const settings: LedgerWorkerSettings = {
        provider: scenario.provider,
        url,
        namespace,
        jobNames: [JOB_NAME],
        concurrency: scenario.concurrency,
        ledgerPath,
        workMs: scenario.workMs,
        tuning,
      };
      const startWorker = async (): Promise<ScriptProcess> => {
        const worker = runReliabilityFixture('ledger-worker.ts', settings);
        await worker.line(/^ready$/, 30_000);
        return worker;
      };
      try {
        await producer.connect();
        for (let start = 0; start < JOBS; start += 100) {
          await Promise.all(
            Array.from({ length: Math.min(100, JOBS - start) }, (_, offset) =>
              producer.scheduleJob(
                JOB_NAME,
                { n: start + offset },
                { jobId: `job-${String(start + offset).padStart(4, '0')}` },
              ),
            ),
          );
        }
        workers.push(...(await Promise.all(Array.from({ length: WORKERS }, startWorker))));

        // Three points of the run, by how many jobs the ledger holds: 10% .. 70%.
        const killPoints = Array.from({ length: KILLS }, () => Math.floor(JOBS * (0.1 + 0.6 * random()))).sort(
          (a, b) => a - b,
        );
        const kills: string[] = [];
        for (const point of killPoints) {
          await waitUntil(() => readLedger(ledgerPath).ids.size >= point, {
            timeoutMs: 90_000,
            intervalMs: 20,
            message: `${point} jobs done`,
          });
          const done = readLedger(ledgerPath).ids.size;
          const victimIndex = Math.floor(random() * workers.length);
          const victim = workers[victimIndex]!;
          await killHard(victim);
          kills.push(`pid ${victim.child.pid} at ${done}/${JOBS}`);
          expect(done, 'a kill must happen mid-run').to.be.below(JOBS);
          workers[victimIndex] = await startWorker();
        }

        await waitUntil(
          async () =>
            readLedger(ledgerPath).ids.size === JOBS && (await producer.getStats(JOB_NAME)).completed === JOBS,
          {
            timeoutMs: 120_000,
            intervalMs: 100,
            message: `all ${JOBS} jobs completed`,
          },
        );
        const ledger = readLedger(ledgerPath);
        const stats = await producer.getStats(JOB_NAME);
        console.log(
          `      [${scenario.provider}] seed ${seed}; killed ${kills.join(', ')}; ` +
            `${ledger.runs} runs for ${ledger.ids.size} jobs: ${ledger.duplicatedJobs} jobs ran more than once (${ledger.extraRuns} extra runs)`,
        );
        expect(ledger.ids.size).to.equal(JOBS);
        expect(stats).to.include({ completed: JOBS, failed: 0, waiting: 0, active: 0, scheduled: 0 });
      } finally {
        await Promise.all(workers.map(killHard));
        await producer.close({ timeoutMs: 1000 }).catch(() => {});
        await tearDown();
        rmSync(ledgerDir, { recursive: true, force: true });
      }
    });
  }
});
