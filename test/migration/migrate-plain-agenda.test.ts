import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { migrateJobs, type JobSnapshot, type QueueProvider } from '@switchyard/core';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { bullFixture, memoryFixture } from '../support/provider-fixtures.js';
import { runMigrateCli } from '../support/migrate-cli-process.js';
import { exportById } from '../support/mixed-jobs.js';
import { mongoUriForDatabase, startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';
import { waitUntil } from '../support/wait-until.js';

const DAY = 86_400_000;
/** Plain Agenda's own default collection. */
const PLAIN_COLLECTION = 'agendaJobs';

/** The fields that must survive the trip, as `migrate-jobs.test.ts` compares them. */
function comparable(snapshot: JobSnapshot): unknown {
  return { ...snapshot, removeOnComplete: snapshot.removeOnComplete ?? false };
}

/**
 * A collection as a service running plain Agenda leaves it: jobs scheduled months
 * ahead (with data and Agenda's named priorities), jobs due now of a name no worker
 * runs, jobs that failed in a plain worker, and repeating ones (human interval, cron
 * with a time zone). Returns the ids (ObjectIds in hex) by kind.
 */
async function seedPlainAgenda(
  agenda: Agenda,
): Promise<Record<'scheduled' | 'waiting' | 'failed' | 'repeating', string[]>> {
  const ids = { scheduled: [] as string[], waiting: [] as string[], failed: [] as string[], repeating: [] as string[] };
  const idOf = (job: Job) => String(job.attrs._id);
  for (let i = 0; i < 30; i += 1) {
    const job = agenda.create('legacy-reminder', { n: i, customer: { id: `c-${i}`, tags: ['vip'] }, amount: i * 1.25 });
    job.schedule(new Date(Date.now() + 30 * DAY + i * 60_000));
    job.priority(i % 3 === 0 ? 'high' : i % 3 === 1 ? 'normal' : 'lowest');
    ids.scheduled.push(idOf(await job.save()));
  }
  for (let i = 0; i < 10; i += 1) ids.waiting.push(idOf(await agenda.now('legacy-unclaimed', { n: i })));

  let failedRuns = 0;
  agenda.define('legacy-flaky', async () => {
    failedRuns += 1;
    throw new Error('upstream said no');
  });
  for (let i = 0; i < 5; i += 1) ids.failed.push(idOf(await agenda.now('legacy-flaky', { n: i })));
  await agenda.start();
  await waitUntil(() => failedRuns === 5, { timeoutMs: 10_000, message: 'five plain jobs to fail' });
  await agenda.stop();

  const hourly = agenda.create('legacy-hourly', { kind: 'interval' });
  hourly.repeatEvery('3 hours', { skipImmediate: true });
  ids.repeating.push(idOf(await hourly.save()));
  const daily = agenda.create('legacy-daily', { kind: 'cron' });
  daily.repeatEvery('0 8 * * *', { timezone: 'Europe/Paris', skipImmediate: true });
  ids.repeating.push(idOf(await daily.save()));
  return ids;
}

describe('migrating a plain Agenda collection', function () {
  this.timeout(120_000);
  let mongo: StartedMongo;
  let mongoUrl: string;
  let client: MongoClient;
  let source: AgendaQueueProvider;
  let seeded: Awaited<ReturnType<typeof seedPlainAgenda>>;
  let original: Map<string, JobSnapshot>;
  const opened: QueueProvider[] = [];

  before(async () => {
    mongo = await startMongo();
    mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('plain_migration'));
    client = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 3000 });
    const plain = new Agenda({ backend: new MongoBackend({ mongo: client.db() }), processEvery: 50 });
    await plain.ready;
    seeded = await seedPlainAgenda(plain);
    source = new AgendaQueueProvider({ mongoUrl, collection: PLAIN_COLLECTION, connectTimeoutMs: 2000 });
    opened.push(source);
    await source.connect();
    original = await exportById(source);
  });

  after(async () => {
    await Promise.all(opened.map((queue) => queue.close({ timeoutMs: 1000 })));
    await client?.db().dropDatabase();
    await client?.close();
    await mongo?.stop();
  });

  it('exports every plain job, by its ObjectId, with its data, state, time, priority, failure and repeat', () => {
    expect(original.size).to.equal(47);
    const scheduled = original.get(seeded.scheduled[0]!)!;
    expect(scheduled).to.deep.include({ name: 'legacy-reminder', state: 'scheduled', priority: 1, attempts: 1 });
    expect(scheduled.data).to.deep.equal({ n: 0, customer: { id: 'c-0', tags: ['vip'] }, amount: 0 });
    expect(original.get(seeded.scheduled[2]!)?.priority).to.equal(10); // Agenda's 'lowest'
    expect(original.get(seeded.waiting[0]!)).to.deep.include({ name: 'legacy-unclaimed', state: 'waiting' });
    expect(original.get(seeded.failed[0]!)).to.deep.include({
      state: 'failed',
      failedReason: 'upstream said no',
      attemptsMade: 1,
    });
    expect(original.get(seeded.repeating[0]!)).to.deep.include({
      state: 'scheduled',
      repeat: { everyMs: 3 * 3_600_000 },
    });
    expect(original.get(seeded.repeating[1]!)?.repeat).to.deep.equal({ cron: '0 8 * * *', tz: 'Europe/Paris' });
  });

  for (const fixture of [memoryFixture, bullFixture]) {
    it(`copies them into ${fixture.name}, field by field, and doubles nothing when run again`, async () => {
      const target = await fixture.make();
      opened.push(target);
      await target.connect();
      const states = ['scheduled', 'waiting', 'failed'] as const;
      const report = await migrateJobs(source, target, { mode: 'copy', states: [...states], batchSize: 10 });
      expect(report.complete, JSON.stringify(report.failures.slice(0, 3))).to.equal(true);
      expect(report.totals.imported).to.equal(47);

      const copied = await exportById(target);
      expect(copied.size).to.equal(47);
      for (const [id, snapshot] of original) {
        const copy = copied.get(id)!;
        const repeat = snapshot.repeat;
        if (fixture.name === 'bull' && repeat !== null && 'everyMs' in repeat) {
          // Agenda counts an interval from the last run; Bull puts it on the epoch grid
          // (the contract's rule): the first occurrence moves onto it, within one interval.
          const runAt = Date.parse(copy.runAt!);
          expect(runAt % repeat.everyMs, id).to.equal(0);
          expect(Math.abs(runAt - Date.parse(snapshot.runAt!)), id).to.be.lessThan(repeat.everyMs);
          expect(comparable({ ...copy, runAt: snapshot.runAt }), id).to.deep.equal(comparable(snapshot));
        } else {
          expect(comparable(copy), id).to.deep.equal(comparable(snapshot));
        }
      }

      const again = await migrateJobs(source, target, { mode: 'copy', states: [...states], batchSize: 10 });
      expect(again.totals).to.deep.include({ imported: 0, skipped: 47 });
      expect((await exportById(target)).size).to.equal(47);
    });
  }

  it('moves them with `switchyard migrate --from-collection agendaJobs` into a Switchyard collection, and a rerun finds nothing to do', async () => {
    const args = ['--from', 'agenda', '--from-url', mongoUrl, '--from-collection', PLAIN_COLLECTION, '--to', 'agenda'];
    const env = { LOG_LEVEL: 'warn' };
    const copy = runMigrateCli([...args, '--to-url', mongoUrl, '--mode', 'copy'], env);
    expect(await copy.exited(), copy.stderr()).to.equal(0);
    // As after a crash between copying and deleting: the move skips what arrived, and deletes.
    const move = runMigrateCli([...args, '--to-url', mongoUrl, '--mode', 'move', '--json'], env);
    expect(await move.exited(), move.stderr()).to.equal(0);
    const report = JSON.parse(move.stdout()) as { totals: Record<string, number> };
    expect(report.totals).to.deep.include({ exported: 47, imported: 0, skipped: 47, verified: 47, deleted: 47 });

    const target = new AgendaQueueProvider({ mongoUrl, connectTimeoutMs: 2000 }); // QUEUE_COLLECTION's default
    opened.push(target);
    const moved = await exportById(target);
    expect(moved.size).to.equal(47);
    for (const [id, snapshot] of original) expect(comparable(moved.get(id)!), id).to.deep.equal(comparable(snapshot));
    expect(await client.db().collection(PLAIN_COLLECTION).countDocuments()).to.equal(0);

    const rerun = runMigrateCli([...args, '--to-url', mongoUrl, '--mode', 'move', '--json'], env);
    expect(await rerun.exited(), rerun.stderr()).to.equal(0);
    expect((JSON.parse(rerun.stdout()) as { totals: Record<string, number> }).totals.exported).to.equal(0);
    expect((await exportById(target)).size).to.equal(47);
  });

  it('refuses --to-collection for a provider other than agenda, naming the flag', async () => {
    const cli = runMigrateCli(['--from', 'agenda', '--from-url', mongoUrl, '--to', 'memory', '--to-collection', 'x']);
    expect(await cli.exited()).to.equal(2);
    expect(cli.stderr()).to.match(/--to-collection applies to --to agenda only/);
    const bad = runMigrateCli(['--from', 'agenda', '--from-collection', 'bad$name', '--to', 'memory']);
    expect(await bad.exited()).to.equal(2);
    expect(bad.stderr()).to.match(/--from-collection/);
  });
});
