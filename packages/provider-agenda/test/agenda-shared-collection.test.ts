import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { EventRecorder, recordingProcessor, waitFor } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import {
  mongoUriForDatabase,
  startMongo,
  uniqueDatabaseName,
  type StartedMongo,
} from '../../../test/support/start-mongo.js';

describe('AgendaQueueProvider: providers sharing one collection, and a caller-held Db', function () {
  this.timeout(20_000);
  let mongo: StartedMongo;
  let mongoUrl: string;
  let client: MongoClient;
  const providers: AgendaQueueProvider[] = [];

  before(async () => {
    mongo = await startMongo();
    mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_shared'));
    client = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 3000, monitorCommands: true });
  });

  after(async () => {
    await client?.close();
    await mongo?.stop();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  async function connected(collection: string, viaDb = false): Promise<AgendaQueueProvider> {
    const settings = { collection, processEveryMs: 100, lockLifetimeMs: 2000, connectTimeoutMs: 2000 };
    const provider = viaDb
      ? new AgendaQueueProvider({ ...settings, db: client.db() })
      : new AgendaQueueProvider({ ...settings, mongoUrl });
    providers.push(provider);
    await provider.connect();
    return provider;
  }

  it('stores one job when two producers schedule the same jobId at the same time, under any name', async () => {
    const collection = `race_${randomUUID()}`;
    const [first, second] = [await connected(collection), await connected(collection)];
    const calls = Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? first : second).scheduleJob(i % 3 === 0 ? 'invoice' : 'receipt', { i }, { jobId: 'once-only' }),
    );

    expect(new Set(await Promise.all(calls))).to.deep.equal(new Set(['once-only']));
    expect(await client.db().collection(collection).countDocuments({ jobId: 'once-only' })).to.equal(1);
    const indexes = await client.db().collection(collection).indexes();
    expect(indexes.find((index) => index.name === 'switchyard_unique_job_id')).to.deep.include({ unique: true });
  });

  it('holds a paused name for every provider on the collection, including jobs scheduled later', async () => {
    const collection = `pause_${randomUUID()}`;
    const admin = await connected(collection);
    const mail = recordingProcessor('mail');
    const barrierProcessor = recordingProcessor('barrier');
    // On the test's client, so that the documents it inserts can be read off its commands.
    const worker = await connected(collection, true);
    worker.registerProcessor(mail);
    worker.registerProcessor(barrierProcessor);
    await worker.start();
    const events = new EventRecorder(worker);
    type InsertedDocument = { jobId: string; disabled: boolean };
    const inserted: InsertedDocument[] = [];
    const recordInserts = (event: CommandStartedEvent) => {
      if (event.commandName !== 'insert' || event.command.insert !== collection) return;
      inserted.push(...(event.command.documents as InsertedDocument[]));
    };
    client.on('commandStarted', recordInserts);

    // The worker's producer has just read the flags (after this insert): it holds a
    // lease on that snapshot, which pause() must outlast.
    await worker.scheduleJob('barrier', {});
    await admin.pause('mail');
    const held = await worker.scheduleJob('mail', {});
    client.off('commandStarted', recordInserts);
    // Held from its insert on: at no moment could a worker have claimed it.
    expect(inserted.find((document) => document.jobId === held)).to.deep.include({ disabled: true });
    const barrier = await admin.scheduleJob('barrier', {});
    await events.completion(barrier, 5000);
    expect(mail.attempts).to.have.lengthOf(0);
    expect((await worker.getStats('mail')).paused).to.equal(true);
    expect((await client.db().collection(collection).findOne({ jobId: held }))?.disabled).to.equal(true);

    await admin.resume('mail');
    await events.completion(held, 5000);
  });

  it('uses a Db the service already holds, and leaves its client open on close()', async () => {
    const collection = `db_${randomUUID()}`;
    const provider = await connected(collection, true);
    const processor = recordingProcessor('report', () => 'done');
    provider.registerProcessor(processor);
    await provider.start();
    const events = new EventRecorder(provider);
    const id = await provider.scheduleJob('report', {});
    await events.completion(id, 5000);

    await provider.close();
    expect((await client.db().command({ ping: 1 })).ok).to.equal(1);
    // What Agenda itself reads: its own fields, with the job finished and unlocked.
    const doc = await client.db().collection(collection).findOne({ jobId: id });
    expect(doc).to.deep.include({
      name: 'report',
      type: 'normal',
      lockedAt: null,
      nextRunAt: null,
      phase: 'completed',
    });
    expect(doc?.lastFinishedAt).to.be.instanceOf(Date);
  });

  it('refills a slot as soon as a job finishes, not at the next poll', async () => {
    const collection = `refill_${randomUUID()}`;
    const provider = new AgendaQueueProvider({ mongoUrl, collection, processEveryMs: 5000, lockLifetimeMs: 20_000 });
    providers.push(provider);
    await provider.connect();
    const processor = recordingProcessor('quick');
    provider.registerProcessor(processor, { concurrency: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await provider.scheduleJob('quick', { i }));
    await provider.start();

    // Five jobs one after the other on a 5 s poll: only the wake-ups can make this quick.
    await waitFor(() => processor.attempts.length === 5, { timeoutMs: 3000, message: 'five jobs in a row' });
  });
});
