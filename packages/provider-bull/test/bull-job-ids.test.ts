/**
 * Job ids as Bull keys (see `bull-job-id.ts`): no id a caller may give addresses one of
 * Bull's own keys, jobs stored by the earlier verbatim scheme stay readable, and Redis
 * errors reach callers typed.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Bull from 'bull';
import { Redis } from 'ioredis';
import { BackendError } from '@switchyard/core';
import {
  BULL_KEY_NAME_IDS,
  EventRecorder,
  KEY_SHAPED_IDS,
  rejectionOf,
  recordingProcessor,
} from '@switchyard/core/testing';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';

const HOUR_MS = 3_600_000;

describe('BullQueueProvider: job ids as Bull keys', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let client: Redis;
  const open: { close(): Promise<unknown> }[] = [];

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });

  after(() => client.disconnect());

  afterEach(async () => {
    await Promise.all(open.splice(0).map((each) => each.close()));
  });

  function provider(prefix: string): BullQueueProvider {
    const made = new BullQueueProvider({ redisUrl: redis.url, prefix });
    open.push(made);
    return made;
  }

  /** A plain Bull queue on the provider's keys, as another team's code would open it. */
  function plainBull(prefix: string, name: string): Bull.Queue {
    const queue = new Bull(name, redis.url, { prefix });
    open.push(queue);
    return queue;
  }

  it("leaves Bull's own keys of the queue alone whatever the ids, and a plain Bull reader sees the caller's id", async () => {
    const prefix = `keys-${randomUUID()}`;
    const queue = provider(prefix);
    const ids = [...BULL_KEY_NAME_IDS, ...KEY_SHAPED_IDS];
    for (const id of ids) await queue.scheduleJob('hostile', { id }, { jobId: id });

    // Bull's keys have the types Bull gave them, and nothing paused the queue.
    const base = `${prefix}:hostile`;
    expect(await client.type(`${base}:wait`)).to.equal('list');
    expect(await client.llen(`${base}:wait`)).to.equal(ids.length);
    expect(await client.type(`${base}:id`)).to.be.oneOf(['none', 'string']);
    expect(await client.type(`${base}:priority`)).to.equal('zset');
    expect(
      await client.exists(`${base}:meta-paused`, `${base}:active`, `${base}:stalled-check`, `${base}:x:lock`),
    ).to.equal(0);
    // Every job hash is a hash of its own, holding that job's data.
    const bullIds = await client.lrange(`${base}:wait`, 0, -1);
    expect(new Set(bullIds).size).to.equal(ids.length);
    for (const bullId of bullIds) {
      expect(bullId).to.not.include(':');
      expect(await client.type(`${base}:${bullId}`)).to.equal('hash');
    }

    const plain = plainBull(prefix, 'hostile');
    const seen = await plain.getJobs(['waiting'], 0, -1);
    expect(
      seen.map((job) => (job.opts as { switchyardId?: string }).switchyardId ?? String(job.id)).sort(),
    ).to.deep.equal([...ids].sort());
    for (const job of seen) {
      const callerId = (job.opts as { switchyardId?: string }).switchyardId ?? String(job.id);
      expect(job.data).to.deep.equal({ id: callerId });
    }
    // Ids with nothing to fear keep their own name in Bull's tools.
    expect(bullIds).to.include.members(['a/b', '*']);
  });

  it('keeps a plain Bull producer adding jobs with numeric ids when Switchyard holds numeric caller ids', async () => {
    const prefix = `numeric-${randomUUID()}`;
    const queue = provider(prefix);
    // Bull's counter counts every add, so after these two it stands at 2.
    await queue.scheduleJob('mixed', { by: 'switchyard' }, { jobId: '2', delayMs: HOUR_MS });
    await queue.scheduleJob('mixed', { by: 'switchyard' }, { jobId: '3', delayMs: HOUR_MS });
    const plain = plainBull(prefix, 'mixed');
    const added = [
      await plain.add({ by: 'plain' }, { delay: HOUR_MS }),
      await plain.add({ by: 'plain' }, { delay: HOUR_MS }),
    ];
    // The counter gave them 3 and 4: had Switchyard's '3' been stored as Bull id 3, Bull
    // would have taken the plain job for a duplicate and dropped it.
    expect(added.map((job) => String(job.id))).to.deep.equal(['3', '4']);
    for (const job of added) expect((await plain.getJob(job.id))?.data).to.deep.equal({ by: 'plain' });
    expect((await queue.getJob('3'))?.data).to.deep.equal({ by: 'switchyard' });
  });

  it('reads, runs, retries and cancels jobs stored by the earlier verbatim scheme', async () => {
    const prefix = `legacy-${randomUUID()}`;
    // Written exactly as the previous version of the provider wrote them: the caller's id
    // as the Bull id, and an index entry without a Bull id.
    const now = Date.now();
    const plain = plainBull(prefix, 'reminder');
    const legacyOptions = { timestamp: now, priority: 5, attempts: 1 };
    await plain.add('__default__', { n: 'later' }, { ...legacyOptions, jobId: 'booking:1:24h', delay: HOUR_MS });
    await plain.add('__default__', { n: 'now' }, { ...legacyOptions, jobId: 'booking:1:15m', delay: 0 });
    const digest = { cron: '0 9 * * *', tz: 'UTC' };
    await plain.add(
      '__default__',
      { n: 'digest' },
      { ...legacyOptions, jobId: 'digest:daily', repeat: digest, removeOnComplete: true },
    );
    await client
      .multi()
      .hset(`${prefix}::jobs`, 'booking:1:24h', JSON.stringify({ name: 'reminder' }))
      .hset(`${prefix}::jobs`, 'booking:1:15m', JSON.stringify({ name: 'reminder' }))
      .hset(
        `${prefix}::jobs`,
        'digest:daily',
        JSON.stringify({ name: 'reminder', repeat: { cron: '0 9 * * *' }, createdAt: now }),
      )
      .hset(`${prefix}::repeat-keys`, '__default__:digest:daily::UTC:0 9 * * *', 'digest:daily')
      .sadd(`${prefix}::names`, 'reminder')
      .exec();
    await plain.close();

    const fails = { first: true };
    const processor = recordingProcessor('reminder', () => {
      if (fails.first) {
        fails.first = false;
        throw new Error('smtp down');
      }
      return 'sent';
    });
    const queue = provider(prefix);
    await queue.connect();
    expect(await queue.getJob('booking:1:24h')).to.deep.include({
      id: 'booking:1:24h',
      state: 'scheduled',
      data: { n: 'later' },
    });
    expect(await queue.getJob('digest:daily')).to.deep.include({
      id: 'digest:daily',
      state: 'scheduled',
      repeat: { cron: '0 9 * * *' },
    });
    const listed = await queue.listJobs({ names: ['reminder'] });
    expect(listed.map((job) => job.id).sort()).to.deep.equal(['booking:1:15m', 'booking:1:24h', 'digest:daily']);
    // Scheduling a legacy id again is still the no-op it was.
    expect(await queue.scheduleJob('reminder', { n: 'again' }, { jobId: 'booking:1:24h', delayMs: HOUR_MS })).to.equal(
      'booking:1:24h',
    );
    expect(await queue.listJobs({ names: ['reminder'] })).to.have.lengthOf(3);

    const events = new EventRecorder(queue);
    queue.registerProcessor(processor);
    await queue.start();
    const failed = await events.failure('booking:1:15m', 10_000);
    expect(failed.job).to.deep.include({ id: 'booking:1:15m', data: { n: 'now' } });
    expect(await queue.retryJob('booking:1:15m')).to.equal(true);
    const completed = await events.completion('booking:1:15m', 10_000);
    expect(completed.result).to.equal('sent');

    expect(await queue.cancelJob('booking:1:24h')).to.equal(true);
    expect(await queue.getJob('booking:1:24h')).to.equal(null);
    expect(await queue.cancelJob('digest:daily')).to.equal(true);
    expect(await queue.getJob('digest:daily')).to.equal(null);
    expect(await client.zcard(`${prefix}:reminder:repeat`)).to.equal(0);
  });

  it('frees the ids of jobs clean() removed, encoded or not, so they can be scheduled again', async () => {
    const prefix = `clean-${randomUUID()}`;
    const queue = provider(prefix);
    const events = new EventRecorder(queue);
    queue.registerProcessor(recordingProcessor('cleaned'));
    await queue.start();
    for (const id of ['plain-id', 'with:colon', 'active', '7']) {
      await queue.scheduleJob('cleaned', { first: true }, { jobId: id });
      await events.completion(id, 10_000);
    }
    expect(await queue.clean({ states: ['completed'], olderThanMs: 0 })).to.equal(4);
    expect(await client.hlen(`${prefix}::jobs`)).to.equal(0);
    for (const id of ['plain-id', 'with:colon', 'active', '7']) {
      await queue.scheduleJob('cleaned', { second: true }, { jobId: id, delayMs: HOUR_MS });
      expect((await queue.getJob(id))?.data).to.deep.equal({ second: true });
    }
  });

  it('reports a Redis error reply as BackendError, never a raw ReplyError', async () => {
    const prefix = `wrongtype-${randomUUID()}`;
    const queue = provider(prefix);
    await queue.connect();
    // The index hash replaced by a string: every lookup gets WRONGTYPE from Redis.
    await client.set(`${prefix}::jobs`, 'not a hash');
    const error = await rejectionOf(() => queue.getJob('some-id'));
    expect(error).to.be.instanceOf(BackendError);
    expect((error as BackendError).code).to.equal('BACKEND_ERROR');
    expect((error as Error).message).to.match(/WRONGTYPE/);
    expect((error as Error).cause).to.have.property('name', 'ReplyError');
  });
});
