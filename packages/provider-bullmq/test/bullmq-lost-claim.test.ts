/**
 * An id claimed in the job directory without its job, as a server going away mid-call
 * leaves one (the claim stored, its reply lost, or the add failed and so did freeing the
 * id). Scheduling that id again must add the job, once: a no-op would lose it. The
 * claim is written here as the directory stores it, on the real server.
 */
import { expect } from 'chai';
import { directoryStorages, type DirectoryStorage } from './support/directory-storages.js';

for (const storage of directoryStorages) {
  describe(`BullMQQueueProvider on ${storage.title}: an id claimed without its job`, function () {
    this.timeout(30_000);
    let made: DirectoryStorage;

    beforeEach(async () => {
      made = await storage.make('lost-claim');
      await made.provider.connect();
    });

    afterEach(() => made.provider.close({ timeoutMs: 1000 }));

    it('gets its job when scheduled again, once', async () => {
      await made.claimWithoutJob('lost-1', 'email');
      expect(await made.provider.getJob('lost-1')).to.equal(null);

      expect(await made.provider.scheduleJob('email', { to: 'ada' }, { jobId: 'lost-1', delayMs: 60_000 })).to.equal(
        'lost-1',
      );
      expect(await made.provider.getJob('lost-1')).to.deep.include({ name: 'email', data: { to: 'ada' } });
      await made.provider.scheduleJob('email', { to: 'someone else' }, { jobId: 'lost-1', delayMs: 60_000 });
      expect((await made.provider.getJob('lost-1'))?.data).to.deep.equal({ to: 'ada' });
      expect((await made.provider.getStats('email')).scheduled).to.equal(1);
    });

    it('gets its job scheduler when a repeating job is scheduled again', async () => {
      await made.claimWithoutJob('lost-series', 'digest');
      await made.provider.scheduleJob('digest', { n: 1 }, { jobId: 'lost-series', repeat: { everyMs: 3_600_000 } });
      expect(await made.provider.getJob('lost-series')).to.deep.include({ name: 'digest', data: { n: 1 } });
    });

    it('stays a no-op for an id whose job is of the other kind (a single job, or a series)', async () => {
      await made.provider.scheduleJob('email', { n: 1 }, { jobId: 'single', delayMs: 60_000 });
      await made.provider.scheduleJob('email', { n: 2 }, { jobId: 'single', repeat: { everyMs: 3_600_000 } });
      await made.provider.scheduleJob('email', { n: 3 }, { jobId: 'series', repeat: { everyMs: 3_600_000 } });
      await made.provider.scheduleJob('email', { n: 4 }, { jobId: 'series', delayMs: 60_000 });
      const jobs = await made.provider.listJobs({ names: ['email'] });
      expect(jobs.map(({ id, data }) => ({ id, data })).sort((a, b) => a.id.localeCompare(b.id))).to.deep.equal([
        { id: 'series', data: { n: 3 } },
        { id: 'single', data: { n: 1 } },
      ]);
    });

    it('stays a no-op for an id claimed under another name', async () => {
      await made.claimWithoutJob('taken', 'other-name');
      expect(await made.provider.scheduleJob('email', { to: 'ada' }, { jobId: 'taken' })).to.equal('taken');
      expect((await made.provider.getStats('email')).waiting).to.equal(0);
    });
  });
}
