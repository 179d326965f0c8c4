import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { TYPES, type JobInfo, type JobProcessor, type QueueProvider } from '@switchyard/core';
import { ConfigError, createContainer, PROVIDER_PACKAGES } from '@switchyard/container';
import { BookingReminderScheduler } from '@switchyard/domain';
import { containerEnvironments } from '../support/container-environments.js';
import { waitUntil } from '../support/wait-until.js';
import { DOMAIN_TYPES } from '@switchyard/domain';

const quiet = { logDestination: new PassThrough() };

for (const environment of containerEnvironments()) {
  describe(`createContainer with ${environment.name}`, () => {
    let queue: QueueProvider | undefined;
    afterEach(() => queue?.close({ timeoutMs: 1000 }));

    it('processes a job scheduled through the container with a processor bound in it', async () => {
      const env = await environment.env();
      const container = await createContainer(env, quiet);
      const seen: JobInfo[] = [];
      const processor: JobProcessor = { name: 'container-check', process: async (job) => void seen.push(job) };
      container.bind<JobProcessor>(TYPES.JobProcessor).toConstantValue(processor);

      queue = container.get<QueueProvider>(TYPES.QueueProvider);
      expect(queue.name).to.equal(environment.provider);
      await queue.connect();
      for (const p of container.getAll<JobProcessor>(TYPES.JobProcessor)) queue.registerProcessor(p);
      await queue.start();
      const id = await queue.scheduleJob('container-check', { hello: 'world' });
      await waitUntil(() => seen.length === 1, { timeoutMs: 10_000, message: 'the bound processor to run' });
      expect(seen[0]).to.include({ id, name: 'container-check' });
      expect(seen[0]?.data).to.deep.equal({ hello: 'world' });
      expect(container.get(DOMAIN_TYPES.BookingReminderScheduler)).to.be.instanceOf(BookingReminderScheduler);
    });

    it('gives the provider JOB_KEEP_COMPLETED and JOB_KEEP_FAILED as its default retention', async () => {
      const env = { ...(await environment.env()), JOB_KEEP_COMPLETED: 'none', JOB_KEEP_FAILED: 'none' };
      queue = (await createContainer(env, quiet)).get<QueueProvider>(TYPES.QueueProvider);
      const finished: string[] = [];
      queue.on('completed', (job: JobInfo) => finished.push(job.id));
      queue.on('failed', (job: JobInfo) => finished.push(job.id));
      await queue.connect();
      queue.registerProcessor({
        name: 'container-retention',
        process: async (job) => {
          if (job.data === 'fail') throw new Error('asked to fail');
        },
      });
      await queue.start();
      const ids = [
        await queue.scheduleJob('container-retention', 'ok'),
        await queue.scheduleJob('container-retention', 'fail', { attempts: 1 }),
      ];
      await waitUntil(() => finished.length === 2, { timeoutMs: 10_000, message: 'both jobs to finish' });
      for (const id of ids) {
        await waitUntil(async () => (await queue!.getJob(id)) === null, {
          timeoutMs: 10_000,
          message: `job ${id} to be removed`,
        });
      }
    });
  });
}

describe('createContainer start-up errors', () => {
  it('rejects an unknown QUEUE_PROVIDER, listing the valid values', async () => {
    const error = await createContainer({ QUEUE_PROVIDER: 'sqs' }, quiet).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message)
      .to.include('QUEUE_PROVIDER')
      .and.include('memory | bull | bullmq | agenda');
  });

  it('says what to install when the provider package is missing', async () => {
    const packages = { ...PROVIDER_PACKAGES, agenda: '@switchyard/provider-that-is-not-installed' };
    const error = await createContainer({ QUEUE_PROVIDER: 'agenda' }, { ...quiet, providerPackages: packages }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.include('npm install @switchyard/provider-that-is-not-installed');
    expect((error as Error).message).to.include('memory | bull | bullmq | agenda');
  });
});
