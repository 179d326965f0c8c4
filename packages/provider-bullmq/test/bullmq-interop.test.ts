import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Queue, createPostgresBackend, withBackend } from 'bullmq';
import type { JobSnapshot } from '@switchyard/core';
import { EventRecorder, recordingProcessor } from '@switchyard/core/testing';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startRedis } from '../../../test/support/start-redis.js';
import { startPostgres } from '../../../test/support/start-postgres.js';

/** A plain BullMQ producer on the same storage as a provider, and the provider itself. */
interface SharedStorage {
  provider: BullMQQueueProvider;
  plainQueue(name: string): Queue;
}

const storages: { title: string; make(): Promise<SharedStorage> }[] = [
  {
    title: 'Redis',
    make: async () => {
      const redisUrl = (await startRedis()).url;
      const prefix = `interop-${randomUUID()}`;
      const { hostname, port } = new URL(redisUrl);
      return {
        provider: new BullMQQueueProvider({ backend: 'redis', redisUrl, prefix }),
        plainQueue: (name) => new Queue(name, { prefix, connection: { host: hostname, port: Number(port) } }),
      };
    },
  },
  {
    title: 'PostgreSQL',
    make: async () => {
      const databaseUrl = (await startPostgres()).url;
      const schema = `interop_${randomUUID().slice(0, 8)}`;
      const { Queue: PostgresQueue } = withBackend(createPostgresBackend);
      return {
        provider: new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema }),
        plainQueue: (name) =>
          new PostgresQueue(name, { connection: { connectionString: databaseUrl, schema } }) as unknown as Queue,
      };
    },
  },
];

for (const storage of storages) {
  describe(`BullMQQueueProvider on ${storage.title}: jobs a plain BullMQ producer added`, function () {
    this.timeout(30_000);
    let shared: SharedStorage;
    const plainQueues: Queue[] = [];

    beforeEach(async () => {
      shared = await storage.make();
      // The provider first: on PostgreSQL its connect() makes BullMQ's tables.
      await shared.provider.connect();
    });

    afterEach(async () => {
      await shared.provider.close({ timeoutMs: 1000 });
      await Promise.all(plainQueues.splice(0).map((queue) => queue.close()));
    });

    async function addPlainJobs(): Promise<{ numbered: string; named: string }> {
      const queue = shared.plainQueue('email');
      plainQueues.push(queue);
      const numbered = await queue.add('email', { to: 'ada@example.com' });
      const named = await queue.add('email', { to: 'grace@example.com' }, { jobId: 'welcome-grace', delay: 60_000 });
      return { numbered: String(numbered.id), named: String(named.id) };
    }

    it('lists them, finds them by their BullMQ ids and exports them', async () => {
      const { numbered, named } = await addPlainJobs();

      const listed = await shared.provider.listJobs();
      expect(listed.map((job) => [job.id, job.name, job.state]).sort()).to.deep.equal(
        [
          [numbered, 'email', 'waiting'],
          [named, 'email', 'scheduled'],
        ].sort(),
      );
      const job = await shared.provider.getJob(numbered);
      expect(job).to.deep.include({ id: numbered, name: 'email', data: { to: 'ada@example.com' }, priority: 5 });
      const exported: JobSnapshot[] = [];
      for await (const snapshot of shared.provider.exportJobs()) exported.push(snapshot);
      expect(exported.map((snapshot) => snapshot.id).sort()).to.deep.equal([numbered, named].sort());
      expect((await shared.provider.getStats('email')).waiting).to.equal(1);
    });

    it('runs them with a processor of the provider, and cancels one by its id', async () => {
      const { numbered, named } = await addPlainJobs();
      const processor = recordingProcessor('email', (job) => `sent to ${(job.data as { to: string }).to}`);
      shared.provider.registerProcessor(processor);
      const events = new EventRecorder(shared.provider);
      await shared.provider.start();

      const completed = await events.completion(numbered, 10_000);
      expect(completed.result).to.equal('sent to ada@example.com');
      expect((await shared.provider.getJob(numbered))?.state).to.equal('completed');
      expect(await shared.provider.cancelJob(named)).to.equal(true);
      expect(await shared.provider.getJob(named)).to.equal(null);
      expect(processor.attemptsOf(named)).to.have.lengthOf(0);
    });
  });
}
