/**
 * Graceful shutdown under load: the worker process with JOB_CONCURRENCY 50 holds 50
 * jobs at once (more are waiting) when it gets SIGTERM. All 50 finish, no new one
 * starts, and it exits 0; the provider then counts 50 completed and the rest still
 * waiting. On Bull, on BullMQ (Redis and PostgreSQL) and on Agenda (the memory provider
 * cannot be shared between the test and a worker process).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { QueueProvider } from '@switchyard/core';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { bullmqPostgresFixture, bullmqRedisFixture, type ProviderFixture } from '../support/provider-fixtures.js';
import { startRedis } from '../support/start-redis.js';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';
import { waitUntil } from '../support/wait-until.js';
import type { HeldJobsWorkerSettings } from './fixtures/held-jobs-worker.js';
import { killHard, runReliabilityFixture, type ScriptProcess } from './support/fixture-process.js';

const ACTIVE = 50;
const WAITING = 30;

interface ShutdownScenario {
  name: ProviderFixture['name'];
  /** A producer on the worker's storage, and the worker's environment for it (QUEUE_PROVIDER and its settings). */
  setUp(): Promise<{ producer: QueueProvider; env: Record<string, string> }>;
}

let mongo: StartedMongo | undefined;

/** A provider from the fixture, and the environment that opens its storage. */
function fromFixture(fixture: ProviderFixture): ShutdownScenario {
  return {
    name: fixture.name,
    async setUp() {
      const producer = await fixture.make();
      return { producer, env: await fixture.environmentOf(producer) };
    },
  };
}

const scenarios: ShutdownScenario[] = [
  {
    name: 'bull',
    async setUp() {
      const redis = await startRedis();
      const prefix = `shutdown-${randomUUID()}`;
      return {
        producer: new BullQueueProvider({ redisUrl: redis.url, prefix }),
        env: { QUEUE_PROVIDER: 'bull', REDIS_URL: redis.url, QUEUE_PREFIX: prefix },
      };
    },
  },
  fromFixture(bullmqRedisFixture),
  fromFixture(bullmqPostgresFixture),
  {
    name: 'agenda',
    async setUp() {
      mongo ??= await startMongo();
      const mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('shutdown'));
      const collection = 'shutdown_jobs';
      return {
        producer: new AgendaQueueProvider({ mongoUrl, collection, processEveryMs: 200, lockLifetimeMs: 10_000 }),
        env: {
          QUEUE_PROVIDER: 'agenda',
          MONGODB_URL: mongoUrl,
          QUEUE_COLLECTION: collection,
          AGENDA_PROCESS_EVERY_MS: '200',
        },
      };
    },
  },
];

/** The ids on `started` and on `finished` lines of the ledger. */
function readHeldLedger(path: string): { started: string[]; finished: string[] } {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  const idsOf = (word: string) =>
    lines.filter((line) => line.startsWith(`${word} `)).map((line) => line.slice(word.length + 1));
  return { started: idsOf('started'), finished: idsOf('finished') };
}

describe('reliability: graceful shutdown of the worker process under load', function () {
  this.timeout(90_000);

  after(async () => {
    await mongo?.stop();
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: SIGTERM with ${ACTIVE} jobs active and ${WAITING} waiting: the ${ACTIVE} finish, no new one starts, exit code 0`, async () => {
      const { producer, env } = await scenario.setUp();
      const ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
      const ledgerPath = join(ledgerDir, 'ledger.txt');
      let worker: ScriptProcess | undefined;
      try {
        await producer.connect();
        await Promise.all(
          Array.from({ length: ACTIVE + WAITING }, (_, n) =>
            producer.scheduleJob('held', { n }, { jobId: `held-${n}` }),
          ),
        );
        const settings: HeldJobsWorkerSettings = {
          ledgerPath,
          env: {
            ...env,
            JOB_CONCURRENCY: String(ACTIVE),
            SHUTDOWN_TIMEOUT_MS: '20000',
            LOG_LEVEL: 'warn',
            LOG_FORMAT: 'json',
          },
        };
        worker = runReliabilityFixture('held-jobs-worker.ts', settings);
        await waitUntil(() => readHeldLedger(ledgerPath).started.length >= ACTIVE, {
          timeoutMs: 30_000,
          intervalMs: 20,
          message: `${ACTIVE} jobs active at once`,
        });

        worker.child.kill('SIGTERM');
        const exitCode = await worker.exited(30_000);

        const { started, finished } = readHeldLedger(ledgerPath);
        expect(exitCode, worker.stderr()).to.equal(0);
        expect(started, 'jobs started').to.have.lengthOf(ACTIVE);
        expect([...finished].sort(), 'jobs finished').to.deep.equal([...started].sort());
        expect(await producer.getStats('held')).to.include({
          completed: ACTIVE,
          waiting: WAITING,
          active: 0,
          failed: 0,
        });
      } finally {
        if (worker !== undefined) await killHard(worker);
        await producer.close({ timeoutMs: 1000 }).catch(() => {});
        rmSync(ledgerDir, { recursive: true, force: true });
      }
    });
  }
});
