/**
 * Adopting an existing Bull deployment: plain `bull` code (another team's producer and
 * worker, Bull's default settings) on one side of the harness's redis-server, Switchyard's
 * Bull provider on the other, on the same prefix. Jobs plain Bull added are seen,
 * found by Bull's own ids, run and kept apart from Switchyard's (see `plain-bull-job-id.ts`).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Bull from 'bull';
import { ValidationError, type JobInfo, type QueueProvider } from '@switchyard/core';
import { EventRecorder, rejectionOf } from '@switchyard/core/testing';
import { BullQueueProvider, type BullJobNameProcessor } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

describe('BullQueueProvider on a prefix plain Bull already uses', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const open: { close(): Promise<unknown> }[] = [];

  before(async () => {
    redis = await startRedis();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((each) => each.close()));
  });

  async function switchyard(prefix: string): Promise<QueueProvider> {
    const provider = new BullQueueProvider({ redisUrl: redis.url, prefix, stalledIntervalMs: 1000 });
    open.push(provider);
    await provider.connect();
    return provider;
  }

  /** A queue as another team's code opens it: Bull's defaults but the prefix. */
  function plainBull(prefix: string, name: string): Bull.Queue {
    const queue = new Bull(name, redis.url, { prefix });
    open.push(queue);
    return queue;
  }

  const freshPrefix = () => `plain-${randomUUID()}`;

  it('sees every plain queue under the prefix without having used it: list, stats, export', async () => {
    const prefix = freshPrefix();
    const email = plainBull(prefix, 'email-notifications');
    const sms = plainBull(prefix, 'sms');
    const welcome = await email.add('welcome', { user: 1 }, { priority: 2, attempts: 4, timeout: 5000 });
    const later = await email.add('reset-password', { user: 2 }, { delay: 3_600_000, backoff: 500 });
    const plainDefault = await sms.add({ to: '+100' });

    const queue = await switchyard(prefix);

    const listed = await queue.listJobs();
    expect(listed.map((job) => job.id).sort()).to.deep.equal(
      [`email-notifications:${welcome.id}`, `email-notifications:${later.id}`, `sms:${plainDefault.id}`].sort(),
    );
    const byId = new Map(listed.map((job) => [job.id, job]));
    expect(byId.get(`email-notifications:${welcome.id}`)).to.deep.include({
      name: 'email-notifications',
      data: { user: 1 },
      state: 'waiting',
      priority: 2,
      maxAttempts: 4,
      timeoutMs: 5000,
    });
    const delayed = byId.get(`email-notifications:${later.id}`)!;
    expect(delayed).to.deep.include({ state: 'scheduled', backoff: { type: 'fixed', delayMs: 500 } });
    expect(delayed.runAt!.getTime()).to.equal(later.timestamp + 3_600_000);

    expect(await queue.getStats()).to.deep.include({ waiting: 2, scheduled: 1 });
    expect(await queue.getStats('email-notifications')).to.deep.include({ waiting: 1, scheduled: 1 });
    expect((await queue.listJobs({ names: ['sms'] })).map((job) => job.data)).to.deep.equal([{ to: '+100' }]);

    const exported = [];
    for await (const snapshot of queue.exportJobs()) exported.push(snapshot);
    expect(exported.map((snapshot) => snapshot.id).sort()).to.deep.equal([...byId.keys()].sort());

    // A name nobody used, here or in plain Bull, is still empty and not recorded.
    expect(await queue.listJobs({ names: ['nobody'] })).to.deep.equal([]);
  });

  it('runs jobs of every Bull job name with the processor of the queue, and plain Bull sees them completed', async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'email-notifications');
    const welcome = await plain.add('welcome', { user: 1 });
    const reset = await plain.add('reset-password', { user: 2 });
    const unnamed = await plain.add({ user: 3 });

    const queue = await switchyard(prefix);
    const events = new EventRecorder(queue);
    const seen: JobInfo[] = [];
    queue.registerProcessor({
      name: 'email-notifications',
      process: async (job) => {
        seen.push(job);
        return { sent: (job.data as { user: number }).user };
      },
    });
    await queue.start();

    await waitUntil(() => events.completed.length === 3, { timeoutMs: 10_000, message: 'three completions' });
    expect(seen.map((job) => [job.id, job.data]).sort()).to.deep.equal(
      [
        [`email-notifications:${welcome.id}`, { user: 1 }],
        [`email-notifications:${reset.id}`, { user: 2 }],
        [`email-notifications:${unnamed.id}`, { user: 3 }],
      ].sort(),
    );
    for (const job of [welcome, reset, unnamed]) {
      const stored = (await plain.getJob(job.id))!;
      expect(await stored.getState()).to.equal('completed');
      expect(stored.returnvalue).to.deep.equal({ sent: (job.data as { user: number }).user });
    }
    expect(events.failed).to.have.length(0);
  });

  it('hands each Bull job name its own handler when the processor names them, the rest to process()', async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'email-notifications');
    const welcome = await plain.add('welcome', { user: 1 });
    const digest = await plain.add('digest', { user: 2 });
    // Only the names the processor gives count, not what every object inherits (Bull's own
    // handler lookup too would run Object.prototype.toString for it).
    const inherited = await plain.add('toString', { user: 4 });
    const queue = await switchyard(prefix);
    const mine = await queue.scheduleJob('email-notifications', { user: 3 });

    const handled: [string, string][] = [];
    const processor: BullJobNameProcessor = {
      name: 'email-notifications',
      bullJobNames: {
        welcome: async (job) => handled.push(['welcome', job.id]),
      },
      process: async (job) => handled.push(['process', job.id]),
    };
    const events = new EventRecorder(queue);
    queue.registerProcessor(processor);
    await queue.start();
    await waitUntil(() => events.completed.length === 4, { message: 'four completions' });
    expect(handled.sort()).to.deep.equal(
      [
        ['welcome', `email-notifications:${welcome.id}`],
        ['process', `email-notifications:${digest.id}`],
        ['process', `email-notifications:${inherited.id}`],
        ['process', mine],
      ].sort(),
    );
  });

  it('refuses bullJobNames that are not names to functions, naming the field, and registers nothing', async () => {
    const queue = await switchyard(freshPrefix());
    for (const [bullJobNames, field] of [
      [[], 'processor.bullJobNames'],
      ['welcome', 'processor.bullJobNames'],
      [{ welcome: 'send' }, 'processor.bullJobNames.welcome'],
    ] as const) {
      const error = await rejectionOf(async () =>
        queue.registerProcessor({ name: 'mail', bullJobNames, process: async () => undefined } as never),
      );
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).field).to.equal(field);
    }
    // Nothing was registered: the name is still free.
    queue.registerProcessor({ name: 'mail', process: async () => undefined });
  });

  it('finds, cancels and retries plain jobs by their bare Bull id and by <queue>:<bull id>', async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'email-notifications');
    const first = await plain.add('welcome', { user: 1 }, { delay: 3_600_000 });
    const second = await plain.add('welcome', { user: 2 }, { delay: 3_600_000 });
    // A plain worker fails the third job for good.
    const third = await plain.add('welcome', { user: 3 }, { attempts: 1 });
    const worker = plainBull(prefix, 'email-notifications');
    // process() settles only once the queue closes.
    void worker.process('welcome', async () => {
      throw new Error('smtp down');
    });
    await waitUntil(async () => (await third.getState()) === 'failed', { message: 'the plain job to fail' });
    await worker.close();

    const queue = await switchyard(prefix);
    expect(String(first.id)).to.match(/^\d+$/);
    expect(await queue.getJob(String(first.id))).to.deep.include({
      id: `email-notifications:${first.id}`,
      state: 'scheduled',
      data: { user: 1 },
    });
    expect((await queue.getJob(`email-notifications:${second.id}`))?.data).to.deep.equal({ user: 2 });
    expect(await queue.getJob('email-notifications:999')).to.equal(null);
    expect(await queue.getJob('999')).to.equal(null);

    expect(await queue.cancelJob(String(first.id))).to.equal(true);
    expect(await plain.getJob(first.id)).to.equal(null);
    expect(await queue.cancelJob(`email-notifications:${second.id}`)).to.equal(true);
    expect(await plain.getJob(second.id)).to.equal(null);

    expect(await queue.getJob(String(third.id))).to.deep.include({
      state: 'failed',
      failedReason: 'smtp down',
      attemptsMade: 1,
    });
    expect(await queue.retryJob(String(third.id))).to.equal(true);
    expect(await (await plain.getJob(third.id))!.getState()).to.equal('waiting');
  });

  it('keeps two plain jobs of the same Bull id in two queues apart, and refuses the bare id for either', async () => {
    const prefix = freshPrefix();
    const a = await plainBull(prefix, 'invoices').add({ n: 'a' }, { delay: 3_600_000 });
    const b = await plainBull(prefix, 'receipts').add({ n: 'b' }, { delay: 3_600_000 });
    expect(String(a.id)).to.equal(String(b.id));
    const id = String(a.id);

    const queue = await switchyard(prefix);
    const listed = await queue.listJobs();
    expect(listed.map((job) => [job.id, job.data]).sort()).to.deep.equal([
      [`invoices:${id}`, { n: 'a' }],
      [`receipts:${id}`, { n: 'b' }],
    ]);
    for (const call of [() => queue.getJob(id), () => queue.cancelJob(id), () => queue.retryJob(id)]) {
      const error = await rejectionOf(call);
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).field).to.equal('jobId');
      expect((error as Error).message)
        .to.include(`'invoices:${id}'`)
        .and.include(`'receipts:${id}'`);
    }
    expect((await queue.getJob(`receipts:${id}`))?.data).to.deep.equal({ n: 'b' });
    expect(await queue.cancelJob(`invoices:${id}`)).to.equal(true);
    // Neither was lost to the refused calls; the one cancelled by its qualified id is gone.
    expect((await queue.listJobs()).map((job) => job.id)).to.deep.equal([`receipts:${id}`]);
  });

  it('schedules nothing under an id a plain job holds, bare or qualified, whatever the name', async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'email-notifications');
    const counted = await plain.add('welcome', { user: 1 }, { delay: 3_600_000 });
    await plain.add('welcome', { user: 2 }, { jobId: 'order-42', delay: 3_600_000 });

    const queue = await switchyard(prefix);
    for (const jobId of [String(counted.id), `email-notifications:${counted.id}`, 'order-42']) {
      expect(await queue.scheduleJob('other', { mine: true }, { jobId })).to.equal(jobId);
      expect(await queue.scheduleJob('email-notifications', { mine: true }, { jobId })).to.equal(jobId);
    }
    expect(await queue.getStats('other')).to.deep.include({ waiting: 0, scheduled: 0 });
    expect((await queue.listJobs()).map((job) => job.data)).to.have.deep.members([{ user: 1 }, { user: 2 }]);
    expect(await plain.count()).to.equal(2);

    // A plain queue made after connect(): found once a read has seen it.
    const late = await plainBull(prefix, 'late').add({ late: true }, { delay: 3_600_000 });
    expect((await queue.getStats()).scheduled).to.equal(3);
    expect(await queue.scheduleJob('other', {}, { jobId: `late:${late.id}` })).to.equal(`late:${late.id}`);
    expect(await queue.getStats('other')).to.deep.include({ waiting: 0, scheduled: 0 });
  });

  it("retries a plain job with Bull's own backoff, reporting the delay Bull waits", async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'flaky');
    const job = await plain.add('call', { n: 1 }, { attempts: 3, backoff: { type: 'exponential', delay: 100 } });

    const queue = await switchyard(prefix);
    const events = new EventRecorder(queue);
    const attemptsAt: number[] = [];
    queue.registerProcessor({
      name: 'flaky',
      process: async () => {
        attemptsAt.push(Date.now());
        throw new Error(`no ${attemptsAt.length}`);
      },
    });
    await queue.start();
    await waitUntil(() => events.failed.length === 1, { timeoutMs: 10_000, message: 'the job to fail for good' });

    // Bull's exponential: (2^n - 1) x delay after n failed attempts, 100 then 300 ms.
    expect(events.retrying.map((event) => event.delayMs)).to.deep.equal([100, 300]);
    expect(attemptsAt[1]! - attemptsAt[0]!).to.be.at.least(100);
    expect(attemptsAt[2]! - attemptsAt[1]!).to.be.at.least(300);
    expect(events.failed[0]!.job).to.deep.include({
      id: `flaky:${job.id}`,
      attemptsMade: 3,
      failedReason: 'no 3',
    });
  });

  it('lists and runs the occurrences of plain Bull repeatables, with or without a jobId, never completing one unrun', async () => {
    const prefix = freshPrefix();
    const plain = plainBull(prefix, 'heartbeat');
    await plain.add('tick', { series: 'named' }, { jobId: 'ticker', repeat: { every: 300 } });
    await plain.add('tick', { series: 'anonymous' }, { repeat: { every: 300 } });

    const queue = await switchyard(prefix);
    const pending = await queue.listJobs({ names: ['heartbeat'] });
    expect(pending.map((job) => job.data)).to.have.deep.members([{ series: 'named' }, { series: 'anonymous' }]);
    for (const job of pending) expect(job.id).to.match(/^heartbeat:repeat:/);

    const ran: { id: string; data: unknown }[] = [];
    queue.registerProcessor({
      name: 'heartbeat',
      process: async (job) => {
        ran.push({ id: job.id, data: job.data });
      },
    });
    await queue.start();
    const ranOf = (series: string) => ran.filter((each) => (each.data as { series: string }).series === series);
    await waitUntil(async () => ranOf('named').length >= 2 && ranOf('anonymous').length >= 2, {
      timeoutMs: 10_000,
      message: 'two occurrences of each series to run',
    });
    await queue.pause('heartbeat');
    // Every occurrence Bull holds as completed is one the processor ran.
    const ranIds = new Set(ran.map((each) => each.id));
    for (const job of await plain.getCompleted(0, -1)) expect(ranIds).to.include(`heartbeat:${job.id}`);
  });

  it('rescues the job of a plain worker that died mid-job, reporting it stalled under its <queue>:<bull id>', async () => {
    const prefix = freshPrefix();
    const producer = plainBull(prefix, 'crashy');
    const job = await producer.add('resize', { image: 'a.png' });
    // A plain worker takes the job and dies with it (closed without waiting: its lock is no
    // longer renewed). Its short stalledInterval matters too: each stalled check blocks the
    // next one, in any worker, for that long.
    const doomed = new Bull('crashy', redis.url, { prefix, settings: { lockDuration: 1000, stalledInterval: 500 } });
    let taken = false;
    void doomed.process('*', () => {
      taken = true;
      return new Promise(() => {});
    });
    await waitUntil(() => taken, { message: 'the plain worker to take the job' });
    await doomed.close(true);

    const queue = new BullQueueProvider({ redisUrl: redis.url, prefix, lockDurationMs: 1000, stalledIntervalMs: 500 });
    open.push(queue);
    await queue.connect();
    const stalled: unknown[][] = [];
    queue.on('stalled', (...args: unknown[]) => stalled.push(args));
    const events = new EventRecorder(queue);
    queue.registerProcessor({ name: 'crashy', process: async (info) => info.data });
    await queue.start();

    const { result } = await events.completion(`crashy:${job.id}`, 10_000);
    expect(result).to.deep.equal({ image: 'a.png' });
    expect(stalled).to.deep.equal([[`crashy:${job.id}`, 'crashy']]);
  });
});
