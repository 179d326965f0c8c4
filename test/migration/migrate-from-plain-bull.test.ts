/**
 * Migrating a plain Bull deployment (jobs plain `bull` code added under Bull's prefix,
 * with Bull job names and ids from Bull's counter) into every provider, every field
 * kept, with `migrateJobs` and with `switchyard migrate --from bull --from-prefix ...`.
 * A plain job's snapshot id is `<queue>:<bull id>`, so a second run finds what the
 * first one copied.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Bull from 'bull';
import { migrateJobs, type JobSnapshot, type QueueProvider } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis } from '../support/start-redis.js';
import { migrationFixtures } from '../support/migration-fixtures.js';
import { exportById } from '../support/mixed-jobs.js';
import { runMigrateCli } from '../support/migrate-cli-process.js';
import { waitUntil } from '../support/wait-until.js';

const HOUR = 3_600_000;

/** What a team's plain Bull code left under `prefix`: the ids Switchyard will know them by. */
async function seedPlainBull(redisUrl: string, prefix: string): Promise<string[]> {
  const email = new Bull('email-notifications', redisUrl, { prefix });
  const sms = new Bull('sms', redisUrl, { prefix });
  try {
    const jobs = [
      await email.add('welcome', { user: 1, tags: ['new'] }, { delay: 2 * HOUR, priority: 3, attempts: 5 }),
      await email.add('reset-password', { user: 2 }, { delay: HOUR, backoff: { type: 'exponential', delay: 1000 } }),
      await email.add('welcome', { user: 3 }, { delay: HOUR, attempts: 2, backoff: 5000, timeout: 30_000 }),
      await email.add('digest', { user: 4 }, { jobId: 'order-42', delay: 3 * HOUR }),
      // Waiting: no worker runs on the source.
      // Bull's priority 0 means none: the contract's default, 5.
      await sms.add({ to: '+100' }, { priority: 0 }),
      await sms.add('vip', { to: '+200' }, { priority: 1 }),
    ];
    // A job a plain worker failed for good, in a queue of its own (the sms jobs stay waiting).
    const webhooks = new Bull('webhooks', redisUrl, { prefix });
    const failed = await webhooks.add('broken', { to: 'nowhere' }, { attempts: 1 });
    void webhooks.process('*', async () => {
      throw new Error('no such endpoint');
    });
    await waitUntil(async () => (await failed.getState()) === 'failed', { message: 'the plain job to fail' });
    await webhooks.close();
    jobs.push(failed);
    return jobs.map((job) => `${job.queue.name}:${job.id}`);
  } finally {
    await Promise.all([email.close(), sms.close()]);
  }
}

function comparable(snapshot: JobSnapshot): unknown {
  return { ...snapshot, removeOnComplete: snapshot.removeOnComplete ?? false };
}

describe('migrating a plain Bull deployment', function () {
  this.timeout(60_000);

  for (const fixture of migrationFixtures()) {
    it(`moves every plain job into ${fixture.name}, every field kept, and a second run duplicates nothing`, async () => {
      const redis = await startRedis();
      const prefix = `plain-${randomUUID()}`;
      const ids = await seedPlainBull(redis.url, prefix);
      const from: QueueProvider = new BullQueueProvider({ redisUrl: redis.url, prefix });
      const to = await fixture.make();
      try {
        await Promise.all([from.connect(), to.connect()]);
        const original = await exportById(from, ['scheduled', 'waiting', 'failed']);
        expect([...original.keys()].sort()).to.deep.equal([...ids].sort());
        expect(original.get(ids[0]!)).to.deep.include({ name: 'email-notifications', priority: 3, attempts: 5 });
        expect(original.get(ids[1]!)?.backoff).to.deep.equal({ type: 'exponential', delayMs: 1000 });
        expect(original.get(ids[2]!)).to.deep.include({ backoff: { type: 'fixed', delayMs: 5000 }, timeoutMs: 30_000 });
        expect(original.get(ids[4]!)).to.deep.include({ state: 'waiting', priority: 5 });
        expect(original.get(ids[6]!)).to.deep.include({ state: 'failed', failedReason: 'no such endpoint' });

        const report = await migrateJobs(from, to, { mode: 'move' });
        expect(report.complete, JSON.stringify(report.failures)).to.equal(true);
        expect(report.totals).to.deep.include({ exported: ids.length, imported: ids.length, deleted: ids.length });

        const moved = await exportById(to, ['scheduled', 'waiting', 'failed']);
        expect(moved.size).to.equal(ids.length);
        for (const [id, snapshot] of original)
          expect(comparable(moved.get(id)!), id).to.deep.equal(comparable(snapshot));
        expect((await exportById(from)).size).to.equal(0);

        // Run again after the source was put back (as after a crash between copy and delete): nothing doubled.
        const again = await migrateJobs(to, from, { mode: 'copy' });
        expect(again.complete).to.equal(true);
        const rerun = await migrateJobs(from, to, { mode: 'copy' });
        expect(rerun.totals).to.deep.include({ exported: ids.length, imported: 0, skipped: ids.length });
        expect((await exportById(to)).size).to.equal(ids.length);
      } finally {
        await Promise.all([from.close({ timeoutMs: 1000 }), to.close({ timeoutMs: 1000 })]);
      }
    });
  }

  it('takes the source prefix from --from-prefix or the URL query, and the target one from --to-prefix', async () => {
    const redis = await startRedis();
    const prefix = `plain-${randomUUID()}`;
    const ids = await seedPlainBull(redis.url, prefix);
    const targetPrefix = `target-${randomUUID()}`;
    const target = new BullQueueProvider({ redisUrl: redis.url, prefix: targetPrefix });
    try {
      const viaQuery = runMigrateCli(
        ['--from', 'bull', '--from-url', `${redis.url}?prefix=${prefix}`, '--to', 'bull', '--to-url', redis.url],
        { LOG_LEVEL: 'warn', QUEUE_PREFIX: targetPrefix },
      );
      expect(await viaQuery.exited(), viaQuery.stderr()).to.equal(0);
      expect(viaQuery.stdout()).to.include('Every selected job is on the target.');

      const viaFlags = runMigrateCli(
        [
          '--from',
          'bull',
          '--from-url',
          redis.url,
          '--from-prefix',
          prefix,
          '--to',
          'bull',
          '--to-url',
          redis.url,
          '--to-prefix',
          targetPrefix,
          '--mode',
          'move',
        ],
        { LOG_LEVEL: 'warn' },
      );
      expect(await viaFlags.exited(), viaFlags.stderr()).to.equal(0);
      await target.connect();
      const arrived = await exportById(target);
      expect([...arrived.keys()].sort()).to.deep.equal([...ids].sort());

      const clash = runMigrateCli(
        ['--from', 'bull', '--from-url', `${redis.url}?prefix=a`, '--from-prefix', 'b', '--to', 'memory'],
        { LOG_LEVEL: 'warn' },
      );
      expect(await clash.exited()).to.equal(2);
      expect(clash.stderr()).to.include("--from-prefix 'b' and the prefix in --from-url ('a') differ");

      const notBull = runMigrateCli(
        ['--from', 'memory', '--from-prefix', 'bull', '--to', 'bull', '--to-url', redis.url],
        {
          LOG_LEVEL: 'warn',
        },
      );
      expect(await notBull.exited()).to.equal(2);
      expect(notBull.stderr()).to.include('--from-prefix applies to bull and to bullmq on Redis only');
    } finally {
      await target.close({ timeoutMs: 1000 });
    }
  });
});
