import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { EventRecorder, recordingProcessor, waitFor } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import {
  mongoUriForDatabase,
  startMongo,
  uniqueDatabaseName,
  type StartedMongo,
} from '../../../test/support/start-mongo.js';

/**
 * Switchyard adopting a collection plain Agenda code already uses: plain producers and
 * workers (`agenda.now`, `schedule`, `every`, `define`) on one side, the provider on the
 * other, on the same collection.
 */
describe('AgendaQueueProvider: adopting a collection plain Agenda already uses', function () {
  this.timeout(20_000);
  let mongo: StartedMongo;
  let mongoUrl: string;
  let client: MongoClient;
  const providers: AgendaQueueProvider[] = [];
  const plainAgendas: Agenda[] = [];

  before(async () => {
    mongo = await startMongo();
    mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_adopt'));
    client = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 3000 });
  });

  after(async () => {
    await client?.db().dropDatabase();
    await client?.close();
    await mongo?.stop();
  });

  afterEach(async () => {
    await Promise.all(plainAgendas.splice(0).map((agenda) => agenda.stop()));
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  function collectionNamed(prefix: string): { name: string; jobs: Collection } {
    const name = `${prefix}_${randomUUID().slice(0, 8)}`;
    return { name, jobs: client.db().collection(name) };
  }

  async function connected(collection: string): Promise<AgendaQueueProvider> {
    const provider = new AgendaQueueProvider({
      mongoUrl,
      collection,
      processEveryMs: 100,
      lockLifetimeMs: 2000,
      connectTimeoutMs: 2000,
    });
    providers.push(provider);
    await provider.connect();
    return provider;
  }

  /** Plain Agenda on the same collection, as an existing service runs it. */
  async function plainAgenda(collection: string): Promise<Agenda> {
    const agenda = new Agenda({
      backend: new MongoBackend({ mongo: client.db(), collection }),
      name: 'plain-service',
      processEvery: 100,
    });
    plainAgendas.push(agenda);
    await agenda.ready;
    return agenda;
  }

  const idOf = (job: Job) => String(job.attrs._id);
  const documentOf = (jobs: Collection, id: string) => jobs.findOne({ _id: new ObjectId(id) });

  it('connects to a collection holding plain Agenda jobs, and plain producers keep adding jobs after it', async () => {
    const { name, jobs } = collectionNamed('adopt_connect');
    const plain = await plainAgenda(name);
    await plain.now('legacy-report', { n: 1 });
    await plain.now('legacy-report', { n: 2 });
    await plain.schedule('in 1 hour', 'legacy-digest', { n: 3 });

    const provider = await connected(name);
    await plain.now('legacy-report', { n: 4 });
    await plain.create('legacy-report', { n: 5 }).save();
    expect(await jobs.countDocuments({ jobId: { $exists: false } })).to.equal(5);

    // The index still makes Switchyard's own ids unique.
    expect(await provider.scheduleJob('mail', { to: 'a' }, { jobId: 'mail-1' })).to.equal('mail-1');
    expect(await provider.scheduleJob('other', { to: 'b' }, { jobId: 'mail-1' })).to.equal('mail-1');
    expect(await jobs.countDocuments({ jobId: 'mail-1' })).to.equal(1);

    const listed = await provider.listJobs({ names: ['legacy-report'] });
    expect(listed.map((job) => job.data)).to.have.deep.members([{ n: 1 }, { n: 2 }, { n: 4 }, { n: 5 }]);
    expect(listed.every((job) => /^[0-9a-f]{24}$/.test(job.id))).to.equal(true);
    expect((await provider.getStats()).waiting).to.equal(5); // four legacy reports and mail-1
  });

  it("replaces the earlier version's non-partial jobId index, and plain producers are no longer limited to one job", async () => {
    const { name, jobs } = collectionNamed('adopt_upgrade');
    // What an earlier version of the provider left behind.
    await jobs.createIndexes([
      { key: { jobId: 1 }, name: 'switchyard_job_id', unique: true },
      { key: { createdAt: 1, jobId: 1 }, name: 'switchyard_created' },
    ]);
    await jobs.insertOne({
      name: 'mail',
      jobId: 'old-1',
      phase: 'pending',
      nextRunAt: new Date(),
      createdAt: new Date(),
    });
    const plain = await plainAgenda(name);
    await plain.now('legacy-report', { n: 1 });
    const refused = await plain.now('legacy-report', { n: 2 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(refused), 'the old index refuses a second plain job').to.match(/E11000|duplicate key/);

    const provider = await connected(name);
    const indexes = (await jobs.listIndexes().toArray()) as Document[];
    const names = indexes.map((index) => String(index.name));
    expect(names).to.not.include.members(['switchyard_job_id']);
    expect(names).to.not.include('switchyard_created');
    expect(indexes.find((index) => index.name === 'switchyard_unique_job_id')).to.deep.include({
      unique: true,
      partialFilterExpression: { jobId: { $type: 'string' } },
    });

    await plain.now('legacy-report', { n: 2 });
    await plain.now('legacy-report', { n: 3 });
    expect(await jobs.countDocuments({ name: 'legacy-report' })).to.equal(3);
    expect(await provider.scheduleJob('mail', {}, { jobId: 'old-1' })).to.equal('old-1');
    expect(await jobs.countDocuments({ jobId: 'old-1' })).to.equal(1);
    // A second provider connecting finds nothing left to replace.
    await connected(name);
  });

  it('runs a plain Agenda job with the processor of its name, and records it as Agenda would', async () => {
    const { name, jobs } = collectionNamed('adopt_run');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.now('legacy-report', { n: 1 }));
    const whileRunning: (Document | null)[] = [];
    const processor = recordingProcessor('legacy-report', async (job) => {
      whileRunning.push(await documentOf(jobs, id));
      return { seen: job.data };
    });
    const provider = await connected(name);
    provider.registerProcessor(processor);
    const events = new EventRecorder(provider);
    await provider.start();

    const completed = await events.completion(id, 5000);
    expect(completed.result).to.deep.equal({ seen: { n: 1 } });
    expect(processor.attempts).to.have.lengthOf(1);
    expect(processor.attempts[0]!.job).to.deep.include({ id, name: 'legacy-report', state: 'active', attemptsMade: 0 });
    expect(processor.attempts[0]!.job.data).to.deep.equal({ n: 1 });
    expect(processor.attempts[0]!.attempt).to.equal(1);

    // Not finished before the processor ran: locked, and never finished, while it ran.
    expect(whileRunning[0]?.lockedAt).to.be.instanceOf(Date);
    expect(whileRunning[0]?.lastFinishedAt ?? null).to.equal(null);
    const doc = await documentOf(jobs, id);
    expect(doc).to.not.have.any.keys('phase', 'jobId', 'attemptsMade', 'finishedAt');
    expect(doc).to.deep.include({ nextRunAt: null, lockedAt: null });
    expect(doc?.lastFinishedAt).to.be.instanceOf(Date);
    const seen = await provider.getJob(id);
    expect(seen).to.deep.include({ id, state: 'completed', attemptsMade: 1, runAt: null });
    expect(seen?.finishedAt?.getTime()).to.equal((doc?.lastFinishedAt as Date).getTime());

    expect(await provider.clean({ states: ['completed'], olderThanMs: 0 })).to.equal(1);
    expect(await documentOf(jobs, id)).to.equal(null);
  });

  it('never marks a plain job finished without running it: a name with no processor here is left for a plain worker', async () => {
    const { name, jobs } = collectionNamed('adopt_untouched');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.now('legacy-only', { n: 1 }));
    const before = await documentOf(jobs, id);

    const worker = await connected(name);
    worker.registerProcessor(recordingProcessor('mail'));
    const events = new EventRecorder(worker);
    await worker.start();
    // Scheduled by another provider, the barrier is found by the worker's poll, which
    // would also have found the plain job had the worker taken it.
    const producer = await connected(name);
    for (let round = 0; round < 3; round += 1) await events.completion(await producer.scheduleJob('mail', {}), 5000);

    expect(await documentOf(jobs, id)).to.deep.equal(before);
    expect((await worker.getJob(id))?.state).to.equal('waiting');

    const ran: Document[] = [];
    plain.define('legacy-only', async (job: Job) => {
      ran.push(job.attrs.data as Document);
    });
    await plain.start();
    await waitFor(async () => (await worker.getJob(id))?.state === 'completed', {
      timeoutMs: 5000,
      message: 'the plain worker runs the job',
    });
    expect(ran).to.deep.equal([{ n: 1 }]);
  });

  it('hands a plain job stopped by close() back as it was, due and unfinished, for the next worker', async () => {
    const { name, jobs } = collectionNamed('adopt_close');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.now('legacy-export', { n: 1 }));
    const before = await documentOf(jobs, id);
    const stubborn = recordingProcessor('legacy-export', (_job, ctx) => {
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted', { cause: ctx.signal.reason }))),
      );
    });
    const provider = await connected(name);
    provider.registerProcessor(stubborn);
    await provider.start();
    await waitFor(() => stubborn.attempts.length === 1, { timeoutMs: 5000, message: 'the plain job starts' });

    await provider.close({ timeoutMs: 100 });
    const after = await documentOf(jobs, id);
    expect(after).to.deep.include({ lockedAt: null, lastFinishedAt: null });
    expect(after?.nextRunAt).to.deep.equal(before?.nextRunAt);
    expect(after?.lastRunAt ?? null).to.equal(before?.lastRunAt ?? null);
    expect(after).to.not.have.any.keys('phase', 'jobId');

    const ran: Document[] = [];
    plain.define('legacy-export', async (job: Job) => {
      ran.push(job.attrs.data as Document);
    });
    await plain.start();
    await waitFor(() => ran.length === 1, { timeoutMs: 5000, message: 'the next worker runs the job' });
  });

  it('hands back on close() the lock of a plain job it had locked ahead of its runAt', async () => {
    const { name, jobs } = collectionNamed('adopt_release');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.schedule(new Date(Date.now() + 4000), 'legacy-later', { n: 1 }));
    // A 5 s poll locks jobs due within the next 5 s, to start them on a local timer.
    const provider = new AgendaQueueProvider({
      mongoUrl,
      collection: name,
      processEveryMs: 5000,
      lockLifetimeMs: 20_000,
    });
    providers.push(provider);
    provider.registerProcessor(recordingProcessor('legacy-later'));
    await provider.start();
    await waitFor(async () => (await documentOf(jobs, id))?.lockedAt instanceof Date, {
      timeoutMs: 3000,
      message: 'the worker locks the job ahead of its runAt',
    });

    await provider.close({ timeoutMs: 100 });
    expect(await documentOf(jobs, id)).to.deep.include({ lockedAt: null, lastFinishedAt: null });
  });

  it('fails a plain job as Agenda records a failure, and retryJob by its ObjectId runs it again', async () => {
    const { name, jobs } = collectionNamed('adopt_retry');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.now('legacy-charge', { amount: 5 }));
    let calls = 0;
    const processor = recordingProcessor('legacy-charge', () => {
      calls += 1;
      if (calls === 1) throw new Error('card declined');
      return 'charged';
    });
    const provider = await connected(name);
    provider.registerProcessor(processor);
    const events = new EventRecorder(provider);
    await provider.start();

    await events.failure(id, 5000);
    const doc = await documentOf(jobs, id);
    expect(doc).to.deep.include({ failCount: 1, failReason: 'card declined', nextRunAt: null, lockedAt: null });
    expect(doc).to.not.have.any.keys('phase', 'jobId');
    expect(await provider.getJob(id)).to.deep.include({
      state: 'failed',
      failedReason: 'card declined',
      attemptsMade: 1,
      maxAttempts: 1,
    });
    expect((await provider.listJobs({ states: ['failed'] })).map((job) => job.id)).to.deep.equal([id]);

    expect(await provider.retryJob(id)).to.equal(true);
    await events.completion(id, 5000);
    expect(processor.attempts).to.have.lengthOf(2);
    expect((await provider.getJob(id))?.state).to.equal('completed');
    expect(await provider.retryJob(id)).to.equal(false);
  });

  it('shows, counts and cancels plain jobs by their ObjectId, and an id a plain job holds is not scheduled again', async () => {
    const { name, jobs } = collectionNamed('adopt_lookup');
    const plain = await plainAgenda(name);
    const job = plain.create('legacy-digest', { to: 'ops' });
    job.schedule('in 1 hour');
    job.priority('high');
    await job.save();
    const id = idOf(job);
    const provider = await connected(name);

    const seen = await provider.getJob(id);
    expect(seen).to.deep.include({ id, name: 'legacy-digest', state: 'scheduled', priority: 1, attemptsMade: 0 });
    expect(seen?.data).to.deep.equal({ to: 'ops' });
    expect(seen?.runAt?.getTime()).to.equal((job.attrs.nextRunAt as Date).getTime());
    expect(seen?.createdAt.getTime()).to.equal(new ObjectId(id).getTimestamp().getTime());
    expect((await provider.getStats('legacy-digest')).scheduled).to.equal(1);
    expect((await provider.listJobs({ states: ['scheduled'] })).map((listed) => listed.id)).to.deep.equal([id]);

    expect(await provider.scheduleJob('mail', {}, { jobId: id })).to.equal(id);
    expect(await jobs.countDocuments()).to.equal(1);

    expect(await provider.getJob('0123456789abcdef01234567')).to.equal(null);
    expect(await provider.cancelJob(id)).to.equal(true);
    expect(await documentOf(jobs, id)).to.equal(null);
    expect(await provider.cancelJob(id)).to.equal(false);
    expect(await provider.getJob(id)).to.equal(null);
  });

  it('runs an occurrence of a plain every() job and leaves it repeating, as Agenda would', async () => {
    const { name, jobs } = collectionNamed('adopt_every');
    const plain = await plainAgenda(name);
    const id = idOf(await plain.every('1 hour', 'legacy-tick', { n: 1 }));
    const processor = recordingProcessor('legacy-tick');
    const provider = await connected(name);
    provider.registerProcessor(processor);
    const events = new EventRecorder(provider);
    await provider.start();

    await events.completion(id, 5000);
    const doc = await documentOf(jobs, id);
    expect(doc?.nextRunAt).to.be.instanceOf(Date);
    expect((doc?.nextRunAt as Date).getTime()).to.be.greaterThan(Date.now() + 59 * 60_000);
    expect(await provider.getJob(id)).to.deep.include({ state: 'scheduled', repeat: { everyMs: 3_600_000 } });
  });

  it('shares the collection with a plain Agenda worker: each runs its names, and a plain worker can run a Switchyard job', async () => {
    const { name, jobs } = collectionNamed('adopt_side_by_side');
    const plain = await plainAgenda(name);
    const ranByPlain: Document[] = [];
    plain.define('legacy-report', async (job: Job) => {
      ranByPlain.push(job.attrs.data as Document);
    });
    await plain.start();
    const provider = await connected(name);
    const mail = recordingProcessor('mail');
    provider.registerProcessor(mail);
    const events = new EventRecorder(provider);
    await provider.start();

    const plainId = idOf(await plain.now('legacy-report', { n: 1 }));
    const mailId = await provider.scheduleJob('mail', { to: 'a' });
    await events.completion(mailId, 5000);
    await waitFor(() => ranByPlain.length === 1, { timeoutMs: 5000, message: 'the plain worker runs its job' });
    expect(mail.attempts.map((attempt) => attempt.job.id)).to.deep.equal([mailId]);
    expect((await provider.getJob(plainId))?.state).to.equal('completed');

    // The other way: a job Switchyard wrote, of a name only the plain worker defines.
    await provider.scheduleJob('legacy-report', { n: 2 }, { jobId: 'from-switchyard' });
    await waitFor(async () => (await provider.getJob('from-switchyard'))?.state === 'completed', {
      timeoutMs: 5000,
      message: 'the plain worker runs the Switchyard job',
    });
    expect(ranByPlain).to.deep.equal([{ n: 1 }, { n: 2 }]);
    expect((await provider.getJob('from-switchyard'))?.finishedAt).to.be.instanceOf(Date);
    expect(await jobs.countDocuments({ name: 'legacy-report' })).to.equal(2);
  });
});
