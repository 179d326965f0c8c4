import { expect } from 'chai';
import { waitUntil } from '../../../test/support/wait-until.js';
import { directoryStorages, type DirectoryStorage } from './support/directory-storages.js';

/**
 * The job directory on each backend: ids the caller chose are claimed, generated ones
 * are not (BullMQ's job, its Redis hash or its PostgreSQL row, holds them), and what
 * BullMQ removes as it completes frees its claim.
 */
for (const storage of directoryStorages) {
  describe(`BullMQQueueProvider on ${storage.title}: the job directory`, function () {
    this.timeout(30_000);
    let shared: DirectoryStorage;

    beforeEach(async () => {
      shared = await storage.make('directory');
      await shared.provider.connect();
    });
    afterEach(() => shared.provider.close({ timeoutMs: 1000 }));

    it('claims the ids callers choose and none it generates, and finds both', async () => {
      const { provider } = shared;
      const generated = await Promise.all(Array.from({ length: 50 }, (_, n) => provider.scheduleJob('email', { n })));
      await provider.scheduleJob('email', { n: 'chosen' }, { jobId: 'welcome-ada' });

      expect(await shared.directorySize()).to.equal(1);
      expect((await provider.getJob(generated[7]!))?.data).to.deep.equal({ n: 7 });
      expect((await provider.getJob('welcome-ada'))?.data).to.deep.equal({ n: 'chosen' });
      expect(await provider.listJobs({ names: ['email'] })).to.have.lengthOf(51);
      expect(await provider.cancelJob(generated[7]!)).to.equal(true);
      expect(await provider.getJob(generated[7]!)).to.equal(null);
    });

    it("refuses a caller's id that a generated job of another name holds, and finds that job under its name", async () => {
      const { provider } = shared;
      const generated = await provider.scheduleJob('invoice', { n: 1 });

      expect(await provider.scheduleJob('receipt', { n: 2 }, { jobId: generated })).to.equal(generated);
      expect(await shared.directorySize()).to.equal(0);
      expect((await provider.getJob(generated))?.name).to.equal('invoice');
      expect(await provider.listJobs({ names: ['receipt'] })).to.deep.equal([]);
    });

    it('frees the claim of a job BullMQ removes as it completes, and leaves nothing for generated ids', async () => {
      const { provider } = shared;
      let completed = 0;
      provider.on('completed', () => (completed += 1));
      provider.registerProcessor({ name: 'email', process: async () => undefined });
      await provider.start();
      await provider.scheduleJob('email', {}, { jobId: 'welcome-ada', removeOnComplete: true });
      await provider.scheduleJob('email', {}, { removeOnComplete: true });

      await waitUntil(async () => completed === 2 && (await shared.directorySize()) === 0, { timeoutMs: 10_000 });
      expect(await provider.listJobs()).to.deep.equal([]);
      // The id is free again.
      expect(await provider.scheduleJob('email', { again: true }, { jobId: 'welcome-ada', delayMs: 60_000 })).to.equal(
        'welcome-ada',
      );
      expect((await provider.getJob('welcome-ada'))?.data).to.deep.equal({ again: true });
    });
  });
}
