import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { EventRecorder, once, recordingProcessor } from '@switchyard/core/testing';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { runScript } from '../../../test/support/script-process.js';

describe('BullQueueProvider: a crashed worker', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const providers: BullQueueProvider[] = [];

  before(async () => {
    redis = await startRedis();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  it('runs the job of a worker killed with SIGKILL mid-job again in another worker, after emitting stalled', async () => {
    const prefix = `stalled-${randomUUID()}`;
    const producer = new BullQueueProvider({ redisUrl: redis.url, prefix });
    providers.push(producer);
    await producer.connect();
    const worker = runScript(new URL('./fixtures/stalling-worker.ts', import.meta.url), [redis.url, prefix]);
    await worker.line(/^ready$/, 15_000);
    const id = await producer.scheduleJob('crashy', { payload: 'survives the crash' }, { attempts: 1 });

    await worker.line(new RegExp(`^started ${id}$`), 10_000);
    expect((await producer.getJob(id))?.state).to.equal('active');
    worker.child.kill('SIGKILL');
    expect(await worker.exited(5_000)).to.equal('SIGKILL');

    // A second worker, with a short lock and stall check so the test need not wait 30 s.
    const processor = recordingProcessor('crashy', (job) => job.data);
    const rescuer = new BullQueueProvider({
      redisUrl: redis.url,
      prefix,
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
    });
    providers.push(rescuer);
    await rescuer.connect();
    const stalled = once(rescuer, 'stalled', (jobId) => jobId === id, { timeoutMs: 10_000 });
    const events = new EventRecorder(rescuer);
    rescuer.registerProcessor(processor);
    await rescuer.start();

    const [stalledId, stalledName] = await stalled;
    expect([stalledId, stalledName]).to.deep.equal([id, 'crashy']);
    const { result } = await events.completion(id, 10_000);
    expect(result).to.deep.equal({ payload: 'survives the crash' });
    expect(processor.attemptsOf(id)).to.have.lengthOf(1);
    // The crash was a stall, not a failed attempt: the only attempt allowed was not used up by it.
    expect(processor.attemptsOf(id)[0]!.attempt).to.equal(1);
    expect((await rescuer.getJob(id))?.state).to.equal('completed');
  });
});
