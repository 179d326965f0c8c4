import { expect } from 'chai';
import type { JobInfo } from '@switchyard/core';
import { waitUntil } from '../../../test/support/wait-until.js';
import { directoryStorages, type DirectoryStorage } from './support/directory-storages.js';

for (const storage of directoryStorages) {
  describe(`BullMQQueueProvider on ${storage.title}: count retention, applied by the provider`, function () {
    this.timeout(60_000);
    let shared: DirectoryStorage;
    let errors: Error[];
    let finished: JobInfo[];
    beforeEach(async () => {
      shared = await storage.make('own-retention');
      errors = [];
      finished = [];
      shared.provider.on('error', (error) => errors.push(error));
      shared.provider.on('completed', (job) => finished.push(job));
      shared.provider.on('failed', (job) => finished.push(job));
      await shared.provider.connect();
    });
    afterEach(() => shared.provider.close({ timeoutMs: 2000 }));

    // BullMQ's own count trim runs in each job's finishing transaction on PostgreSQL,
    // where concurrent finishes deadlocked; and it left the removed jobs' ids taken.
    it('keeps the newest N completed jobs, at concurrency 20, and frees the ids of those it removed', async () => {
      const { provider } = shared;
      provider.registerProcessor({ name: 'reminder', process: async () => undefined }, { concurrency: 20 });
      await provider.start();
      const ids = Array.from({ length: 120 }, (_, n) => `reminder-${n}`);
      await Promise.all(ids.map((jobId) => provider.scheduleJob('reminder', {}, { jobId, removeOnComplete: 5 })));
      await waitUntil(() => finished.length === ids.length, { timeoutMs: 30_000, message: 'every job to complete' });
      await waitUntil(async () => (await provider.getStats('reminder')).completed === 5, {
        timeoutMs: 10_000,
        message: 'the name to keep 5 completed jobs',
      });

      const kept = await provider.listJobs({ names: ['reminder'], states: ['completed'] });
      const keptIds = new Set(kept.map(({ id }) => id));
      const removed = finished.filter(({ id }) => !keptIds.has(id));
      expect(removed).to.have.length(ids.length - 5);
      const oldestKept = Math.min(...kept.map(({ finishedAt }) => finishedAt!.getTime()));
      for (const job of removed) expect(job.finishedAt!.getTime()).to.be.at.most(oldestKept);
      expect(await shared.directorySize()).to.equal(5);
      for (const job of removed) expect(await provider.getJob(job.id)).to.equal(null);
      expect(errors).to.deep.equal([]);
    });

    it('keeps the newest N failed jobs by removeOnFail, and frees the ids of those it removed', async () => {
      const { provider } = shared;
      provider.registerProcessor({
        name: 'charge',
        process: async () => {
          throw new Error('card declined');
        },
      });
      await provider.start();
      const ids = Array.from({ length: 6 }, (_, n) => `charge-${n}`);
      for (const jobId of ids) {
        await provider.scheduleJob('charge', {}, { jobId, attempts: 1, removeOnFail: 2 });
      }
      await waitUntil(() => finished.length === ids.length, { timeoutMs: 20_000, message: 'every job to fail' });
      await waitUntil(async () => (await provider.getStats('charge')).failed === 2, {
        timeoutMs: 10_000,
        message: 'the name to keep 2 failed jobs',
      });
      expect(await shared.directorySize()).to.equal(2);
      expect(errors).to.deep.equal([]);
    });

    it('frees the id of a failed job that removeOnFail: true removes, so the id can be used again', async () => {
      const { provider } = shared;
      let runs = 0;
      provider.registerProcessor({
        name: 'charge',
        process: async () => {
          runs += 1;
          throw new Error('card declined');
        },
      });
      await provider.start();
      await provider.scheduleJob('charge', {}, { jobId: 'charge-once', attempts: 1, removeOnFail: true });
      await waitUntil(() => finished.length === 1, { timeoutMs: 20_000, message: 'the job to fail' });
      await waitUntil(async () => (await shared.directorySize()) === 0, {
        timeoutMs: 10_000,
        message: 'the id to be freed',
      });
      await provider.scheduleJob('charge', {}, { jobId: 'charge-once', attempts: 1, removeOnFail: true });
      await waitUntil(() => runs === 2, { timeoutMs: 20_000, message: 'the second job of that id to run' });
    });
  });
}
