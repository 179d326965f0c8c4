import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { EventRecorder, waitFor } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { InMemoryNotificationChannel } from 'agenda';
import { NameWakeUps } from '../src/name-wake-ups.js';
import { PauseFlags, SNAPSHOT_LEASE_MS } from '../src/pause-flags.js';
import {
  mongoUriForDatabase,
  startMongo,
  uniqueDatabaseName,
  type StartedMongo,
} from '../../../test/support/start-mongo.js';

/**
 * What a job costs in MongoDB commands. Agenda itself makes four per job (insert, lock,
 * the save as it starts, the save as it ends); the provider's claim and outcome ride
 * on those saves, its pause check is shared between producers, and its wake-ups never
 * race each other into locking jobs only to hand them back.
 */
describe('AgendaQueueProvider: MongoDB round trips per job', function () {
  this.timeout(30_000);
  let mongo: StartedMongo;
  let client: MongoClient;
  let commands: CommandStartedEvent[];

  before(async () => {
    mongo = await startMongo();
    client = await MongoClient.connect(mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_trips')), {
      serverSelectionTimeoutMS: 3000,
      monitorCommands: true,
    });
    client.on('commandStarted', (event) => commands.push(event));
  });

  beforeEach(() => {
    commands = [];
  });

  after(async () => {
    await client
      ?.db()
      .dropDatabase()
      .catch(() => undefined);
    await client?.close();
    await mongo?.stop();
  });

  /** The commands sent to `collection`, by name and, for writes, the fields their filter names. */
  function sentTo(collection: string): string[] {
    return commands
      .filter((event) => event.command[event.commandName] === collection)
      .map((event) => {
        const command = event.command as {
          query?: object;
          filter?: object;
          updates?: { q?: object }[];
          deletes?: { q?: object }[];
        };
        const filter = command.query ?? command.filter ?? command.updates?.[0]?.q ?? command.deletes?.[0]?.q;
        const fields = Object.keys(filter ?? {});
        return fields.length === 0 ? event.commandName : `${event.commandName} ${fields.join(',')}`;
      });
  }

  function count(sent: string[], command: string): number {
    return sent.filter((entry) => entry === command).length;
  }

  it('takes four commands per job: insert, lock, a start save that claims, an end save that records', async () => {
    const collection = `trips_${randomUUID()}`;
    const provider = new AgendaQueueProvider({
      db: client.db(),
      collection,
      processEveryMs: 60_000,
      lockLifetimeMs: 120_000,
    });
    const events = new EventRecorder(provider);
    try {
      await provider.connect();
      provider.registerProcessor({ name: 'receipt', process: async () => undefined }, { concurrency: 10 });
      await provider.start();
      commands = [];
      const jobs = 200;
      for (let window = 0; window < jobs; window += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => provider.scheduleJob('receipt', { n: window + i })));
      }
      await waitFor(() => events.completed.length === jobs, { timeoutMs: 20_000, message: 'every job completed' });

      const sent = sentTo(collection);
      expect(count(sent, 'insert')).to.equal(jobs);
      expect(count(sent, 'findAndModify _id,name,phase'), 'start saves that claim').to.equal(jobs);
      expect(count(sent, 'update _id'), 'end saves that record the outcome').to.equal(jobs);
      expect(count(sent, 'update _id,name'), "Agenda's plain saves").to.equal(0);
      expect(count(sent, 'update _id,nextRunAt'), 'locks handed back').to.equal(0);
      // A lock query per job, and one more per fill that found nothing left.
      expect(count(sent, 'findAndModify name,disabled,$or'), 'lock queries').to.be.within(jobs, jobs * 1.25);
      // Producers whose inserts return in the same turn share a read of the pause flags.
      expect(sentTo(`${collection}_paused`).length, 'pause flag reads').to.be.below(jobs / 4);
    } finally {
      await provider.close({ timeoutMs: 1000 });
    }
  });

  it('makes two commands per scheduleJob for a producer calling one at a time: the insert and one flag read', async () => {
    const collection = `lone_${randomUUID()}`;
    const provider = new AgendaQueueProvider({ db: client.db(), collection });
    try {
      await provider.connect();
      await provider.scheduleJob('receipt', { n: -1 });
      commands = [];
      const jobs = 40;
      for (let n = 0; n < jobs; n += 1) await provider.scheduleJob('receipt', { n });

      expect(count(sentTo(collection), 'insert')).to.equal(jobs);
      // The read after each insert renews the lease the next call's insert relies on; a
      // call that comes after the lease ran out (a slow moment) reads once more.
      const flagReads = sentTo(`${collection}_paused`).length;
      expect(flagReads, 'pause flag reads')
        .to.be.at.least(jobs)
        .and.below(jobs * 1.5);
    } finally {
      await provider.close({ timeoutMs: 1000 });
    }
  });

  it('lets a snapshot of the pause flags stand for SNAPSHOT_LEASE_MS after its read was sent, and not past a write', async () => {
    const collection = `lease_${randomUUID()}`;
    const flags = new PauseFlags(client.db(), collection);
    const sentAt = performance.now();
    const first = await flags.snapshot();
    const reads = () => count(sentTo(`${collection}_paused`), 'find');
    if (performance.now() - sentAt < SNAPSHOT_LEASE_MS) {
      expect(flags.leasedSnapshot(), 'within the lease: the snapshot itself, no read').to.equal(first);
      expect(reads()).to.equal(1);
    }

    await waitFor(() => performance.now() - sentAt >= SNAPSHOT_LEASE_MS, {
      timeoutMs: 1000,
      message: 'the lease ran out',
    });
    const renewed = await flags.leasedSnapshot();
    expect(renewed, 'past the lease: a fresh read').not.to.equal(first);
    expect(reads()).to.equal(2);

    await flags.set('mail', true);
    expect((await flags.leasedSnapshot())('mail'), 'after a write here: a fresh read').to.equal(true);
    expect(reads()).to.equal(3);
  });

  it('shares a read of the pause flags between callers until it is sent, and reads again for later callers', async () => {
    const collection = `flags_${randomUUID()}`;
    const flags = new PauseFlags(client.db(), collection);
    const together = await Promise.all([flags.sharedSnapshot(), flags.sharedSnapshot(), flags.sharedSnapshot()]);
    expect(together.map((isPaused) => isPaused('mail'))).to.deep.equal([false, false, false]);
    expect(sentTo(`${collection}_paused`)).to.deep.equal(['find']);

    await flags.set('mail', true);
    expect((await flags.sharedSnapshot())('mail'), 'a read after the flag was written').to.equal(true);
    expect(count(sentTo(`${collection}_paused`), 'find')).to.equal(2);
  });
});

describe('NameWakeUps', () => {
  /** A subscriber like Agenda's: each notification starts a fill that ends when the test says. */
  function subscribedFills(channel: InMemoryNotificationChannel) {
    const fills: { name: string; dueAt: Date | null | undefined; end: () => void }[] = [];
    channel.subscribe(
      (notification) =>
        new Promise<void>((resolve) =>
          fills.push({ name: notification.jobName, dueAt: notification.nextRunAt, end: resolve }),
        ),
    );
    return fills;
  }

  it('runs one fill per name at a time, and one more after it for the wake-ups that came meanwhile', async () => {
    const wakeUps = new NameWakeUps((error) => expect.fail(String(error)));
    await wakeUps.channel.connect();
    const fills = subscribedFills(wakeUps.channel);

    wakeUps.wake('mail', new Date(3000));
    wakeUps.wake('mail', new Date(2000));
    wakeUps.wake('mail', new Date(2500));
    wakeUps.wake('sms', new Date(1000));
    expect(fills.map((fill) => fill.name)).to.deep.equal(['mail', 'sms']);

    fills[0]!.end();
    await waitFor(() => fills.length === 3, { timeoutMs: 1000, message: 'the follow-up fill' });
    // The follow-up covers the earliest job that woke it.
    expect(fills[2]).to.deep.include({ name: 'mail', dueAt: new Date(2000) });

    fills[1]!.end();
    fills[2]!.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fills, 'no wake-up came during the follow-up: no further fill').to.have.length(3);
    wakeUps.wake('mail', new Date(4000));
    expect(fills, 'a new wake-up starts a fill at once').to.have.length(4);
  });

  it('does nothing while its channel is not connected', () => {
    const wakeUps = new NameWakeUps((error) => expect.fail(String(error)));
    const fills = subscribedFills(wakeUps.channel);
    wakeUps.wake('mail', new Date());
    expect(fills).to.have.length(0);
  });
});
