/**
 * The other direction of adopting Bull: Switchyard schedules, a plain Bull worker (Bull's
 * default settings, `queue.process(handler)`) processes and retries, as Switchyard's own
 * worker would; falsy payloads arrive exactly on both sides.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Bull from 'bull';
import type { BackoffOptions, QueueProvider } from '@switchyard/core';
import { EventRecorder } from '@switchyard/core/testing';
import { BullQueueProvider, SWITCHYARD_BACKOFF_STRATEGIES } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

describe('Plain Bull workers on the jobs Switchyard schedules', function () {
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
    const provider = new BullQueueProvider({ redisUrl: redis.url, prefix });
    open.push(provider);
    await provider.connect();
    return provider;
  }

  function plainBull(prefix: string, name: string, options: Bull.QueueOptions = {}): Bull.Queue {
    const queue = new Bull(name, redis.url, { prefix, ...options });
    open.push(queue);
    return queue;
  }

  /** A plain worker that fails every attempt, recording when each began. */
  function failingWorker(queue: Bull.Queue): { at: number[] } {
    const attempts = { at: [] as number[] };
    // process() settles only once the queue closes.
    void queue.process(async () => {
      attempts.at.push(Date.now());
      throw new Error(`attempt ${attempts.at.length} failed`);
    });
    return attempts;
  }

  /** The gaps between attempts, and the delays Switchyard's own worker reports for the same job. */
  async function retryDelays(
    prefix: string,
    options: { attempts: number; backoff: BackoffOptions },
    plainOptions: Bull.QueueOptions = {},
  ): Promise<{ plainGaps: number[]; switchyardDelays: number[]; failedOnPlain: Bull.Job }> {
    const producer = await switchyard(prefix);
    const plainId = await producer.scheduleJob('retry-me', { n: 1 }, { jobId: 'plain-side', ...options });
    const plain = plainBull(prefix, 'retry-me', plainOptions);
    const attempts = failingWorker(plain);
    await waitUntil(async () => (await producer.getJob(plainId))?.state === 'failed', {
      timeoutMs: 10_000,
      message: 'the plain worker to fail the job for good',
    });
    const failedOnPlain = (await plain.getJob(await bullIdOf(plain, plainId)))!;
    await plain.close();

    // The same job run by Switchyard's own worker, on a prefix of its own.
    const own = await switchyard(`${prefix}-own`);
    const events = new EventRecorder(own);
    own.registerProcessor({
      name: 'retry-me',
      process: async () => {
        throw new Error('no');
      },
    });
    await own.start();
    await own.scheduleJob('retry-me', { n: 1 }, { jobId: 'own-side', ...options });
    await waitUntil(() => events.failed.length === 1, { timeoutMs: 10_000, message: 'Switchyard to fail it' });

    const plainGaps = attempts.at.slice(1).map((at, index) => at - attempts.at[index]!);
    return { plainGaps, switchyardDelays: events.retrying.map((event) => event.delayMs), failedOnPlain };
  }

  /** The Bull id of a Switchyard job (its caller's id is in the job's options). */
  async function bullIdOf(queue: Bull.Queue, jobId: string): Promise<string> {
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'delayed'], 0, -1);
    const job = jobs.find((each) => (each.opts as { switchyardId?: string }).switchyardId === jobId);
    return String(job?.id ?? jobId);
  }

  it('processes Switchyard jobs with a default-settings plain worker, falsy payloads exact on both sides', async () => {
    const prefix = `worker-${randomUUID()}`;
    const queue = await switchyard(prefix);
    const payloads: unknown[] = [0, false, null, '', { a: 1 }, [0], 'text'];
    const ids = [];
    for (const [index, data] of payloads.entries()) {
      ids.push(await queue.scheduleJob('mail', data, { jobId: `mail-${index}`, priority: 1 + index }));
    }
    // Switchyard reads every payload back as given.
    for (const [index, id] of ids.entries()) expect((await queue.getJob(id))?.data).to.deep.equal(payloads[index]);

    const plain = plainBull(prefix, 'mail');
    const received: unknown[] = [];
    void plain.process(async (job) => {
      received.push(job.data);
      return 'done';
    });
    await waitUntil(() => received.length === payloads.length, { message: 'the plain worker to take every job' });
    // Priorities 1..n: the plain worker took them in the order given.
    expect(received).to.deep.equal(payloads);
    await waitUntil(async () => (await queue.getStats('mail')).completed === payloads.length, {
      message: 'every job completed',
    });
    for (const id of ids) expect(await queue.getJob(id)).to.deep.include({ state: 'completed', result: 'done' });
  });

  it("retries a fixed backoff with Bull's own strategy: a default-settings plain worker waits as Switchyard does", async () => {
    const { plainGaps, switchyardDelays, failedOnPlain } = await retryDelays(`fixed-${randomUUID()}`, {
      attempts: 3,
      backoff: { type: 'fixed', delayMs: 200 },
    });
    expect(failedOnPlain.opts.backoff).to.deep.equal({ type: 'fixed', delay: 200 });
    expect(switchyardDelays).to.deep.equal([200, 200]);
    expect(plainGaps).to.have.length(2);
    for (const gap of plainGaps) expect(gap).to.be.at.least(200);
    expect(failedOnPlain.attemptsMade).to.equal(3);
    expect(failedOnPlain.failedReason).to.equal('attempt 3 failed');
  });

  it("retries a one-retry exponential backoff with Bull's own strategy too (the only case where the two formulas agree)", async () => {
    const { plainGaps, switchyardDelays, failedOnPlain } = await retryDelays(`exp-${randomUUID()}`, {
      attempts: 2,
      backoff: { type: 'exponential', delayMs: 250 },
    });
    expect(failedOnPlain.opts.backoff).to.deep.equal({ type: 'exponential', delay: 250 });
    expect(switchyardDelays).to.deep.equal([250]);
    expect(plainGaps[0]).to.be.at.least(250);
  });

  it('retries exponential, capped backoffs with the one setting the README names, as Switchyard does', async () => {
    const { plainGaps, switchyardDelays, failedOnPlain } = await retryDelays(
      `custom-${randomUUID()}`,
      { attempts: 4, backoff: { type: 'exponential', delayMs: 100, maxDelayMs: 300 } },
      { settings: { backoffStrategies: SWITCHYARD_BACKOFF_STRATEGIES } },
    );
    expect((failedOnPlain.opts.backoff as { type: string }).type).to.equal('switchyard');
    // 100, 200, then 400 capped at 300.
    expect(switchyardDelays).to.deep.equal([100, 200, 300]);
    expect(plainGaps).to.have.length(3);
    for (const [index, gap] of plainGaps.entries()) expect(gap).to.be.at.least(switchyardDelays[index]!);
    expect(failedOnPlain.attemptsMade).to.equal(4);
  });
});
