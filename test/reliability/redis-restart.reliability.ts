/**
 * Redis restart: a redis-server of the test's own with `appendonly yes` and
 * `appendfsync always`, stopped (SIGTERM) and started again on the same port while Bull,
 * then BullMQ, producers and worker processes are at work (`jobsAcrossRestart`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOwnRedis, type RedisServer } from '../support/start-redis.js';
import { jobsAcrossRestart, RESTART_JOBS } from './support/restart-under-load.js';

describe('reliability: Redis restarted under load', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  let ledgerDir: string;

  before(async () => {
    redis = await startOwnRedis({ persistent: true });
    ledgerDir = mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
  });

  after(async () => {
    await redis?.stop();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  for (const provider of ['bull', 'bullmq-redis'] as const) {
    it(`${provider}: ${RESTART_JOBS} jobs produced across a SIGTERM restart of an appendonly Redis all complete; producers and workers reconnect on their own`, async () => {
      await jobsAcrossRestart({
        provider,
        url: redis.url,
        namespace: `restart-${randomUUID()}`,
        ledgerPath: join(ledgerDir, `${provider}.txt`),
        restart: () => redis.restart(),
      });
    });
  }
});
