import { expect } from 'chai';
import type { EventEmitter } from 'node:events';
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { ObjectId, type Collection, type Document } from 'mongodb';
import { openTestDatabase, type TestDatabase } from './test-database.js';

/** Resolves with the arguments of the next `count` `event`s, or rejects after `timeoutMs`: no fixed sleeps. */
function nextEvents(emitter: EventEmitter, event: string, count: number, timeoutMs: number): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const seen: unknown[][] = [];
    const listener = (...args: unknown[]): void => {
      seen.push(args);
      if (seen.length < count) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(seen);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} '${event}' event(s); saw ${seen.length}`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

describe('MongoDB for tests: Agenda 6 on @agendajs/mongo-backend', function () {
  let database: TestDatabase;
  let agenda: Agenda;
  let jobs: Collection;
  /** lockedAt of each job as stored while its handler was running. */
  const lockedAtWhileRunning = new Map<string, unknown>();
  const ranWith: Document[] = [];

  before(async function () {
    database = await openTestDatabase('agenda');
    jobs = database.db.collection('agendaJobs');
    agenda = new Agenda({
      backend: new MongoBackend({ mongo: database.db }),
      processEvery: 50,
      defaultLockLifetime: 10_000,
    });
    agenda.define('send-email', async (job: Job) => {
      // attrs._id is Agenda's string JobId; the document's _id is an ObjectId.
      const stored = await jobs.findOne({ _id: new ObjectId(String(job.attrs._id)) });
      lockedAtWhileRunning.set(String(job.attrs._id), stored?.lockedAt);
      ranWith.push(job.attrs.data as Document);
    });
    agenda.define('tick', async () => {});
    await agenda.start();
  });

  after(async function () {
    await agenda?.stop();
    await database?.close();
  });

  it('creates its index on connect', async function () {
    const names = (await jobs.listIndexes().toArray()).map((index) => index.name);
    expect(names).to.include('findAndLockNextJobIndex');
  });

  it('runs a job now: locks it while running and unlocks it when complete', async function () {
    const completed = nextEvents(agenda, 'complete:send-email', 1, 5000);
    const job = await agenda.now('send-email', { to: 'now@example.com' });
    await completed;

    const id = String(job.attrs._id);
    expect(lockedAtWhileRunning.get(id), 'lockedAt set while running').to.be.instanceOf(Date);
    const stored = await jobs.findOne({ _id: new ObjectId(id) });
    expect(stored?.lockedAt ?? null, 'unlocked after completion').to.equal(null);
    expect(stored?.lastFinishedAt).to.be.instanceOf(Date);
    expect(stored?.failReason ?? null).to.equal(null);
    expect(ranWith).to.deep.include({ to: 'now@example.com' });
  });

  it('runs a scheduled job no earlier than its time', async function () {
    const runAt = new Date(Date.now() + 300);
    const started = nextEvents(agenda, 'start:send-email', 1, 5000);
    const completed = nextEvents(agenda, 'complete:send-email', 1, 5000);
    await agenda.schedule(runAt, 'send-email', { to: 'later@example.com' });
    await started;
    expect(Date.now()).to.be.at.least(runAt.getTime());
    await completed;
    expect(ranWith).to.deep.include({ to: 'later@example.com' });
  });

  it('repeats a job with every() and keeps a single document for it', async function () {
    const ticks = nextEvents(agenda, 'complete:tick', 2, 8000);
    // A number is milliseconds; a string such as '300 milliseconds' would be tried as cron first.
    await agenda.every(300, 'tick');
    await ticks;
    const stored = await jobs.find({ name: 'tick' }).toArray();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ type: 'single', repeatInterval: 300 });
    expect(stored[0]?.lastRunAt).to.be.instanceOf(Date);
  });

  it('cancels jobs so they are gone for good', async function () {
    await agenda.schedule(new Date(Date.now() + 60 * 60 * 1000), 'send-email', { to: 'never@example.com' });
    expect(await jobs.countDocuments({ 'data.to': 'never@example.com' })).to.equal(1);

    expect(await agenda.cancel({ name: 'tick' })).to.equal(1);
    expect(await agenda.cancel({ data: { to: 'never@example.com' } })).to.equal(1);
    expect(await jobs.countDocuments({ name: 'tick' })).to.equal(0);
    expect(await jobs.countDocuments({ 'data.to': 'never@example.com' })).to.equal(0);
  });

  it('lists jobs with their computed state through queryJobs', async function () {
    const result = await agenda.queryJobs({ name: 'send-email' });
    expect(result.total).to.be.at.least(2);
    expect(result.jobs.every((job) => job.name === 'send-email')).to.equal(true);
  });
});
