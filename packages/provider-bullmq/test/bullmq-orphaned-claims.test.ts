import { expect } from 'chai';
import type { JobSnapshot } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { directoryStorages, type DirectoryStorage } from './support/directory-storages.js';

/** Snapshots of jobs as another provider exports them. */
async function snapshots(): Promise<JobSnapshot[]> {
  const memory = new MemoryQueueProvider();
  await memory.connect();
  const runAt = new Date(Date.now() + 86_400_000);
  await memory.scheduleJob('reminder', { n: 1 }, { jobId: 'orphaned-1', runAt });
  await memory.scheduleJob('digest', { n: 2 }, { jobId: 'orphaned-2', repeat: { cron: '0 9 * * *' } });
  await memory.scheduleJob('reminder', { n: 3 }, { jobId: 'real-3', runAt });
  const exported: JobSnapshot[] = [];
  for await (const snapshot of memory.exportJobs()) exported.push(snapshot);
  await memory.close();
  return exported;
}

for (const storage of directoryStorages) {
  describe(`BullMQQueueProvider on ${storage.title}: importing ids claimed with no job behind them`, function () {
    this.timeout(30_000);
    let shared: DirectoryStorage;
    beforeEach(async () => {
      shared = await storage.make('orphaned');
      await shared.provider.connect();
    });
    afterEach(() => shared.provider.close({ timeoutMs: 1000 }));

    // What an import killed between claiming a batch's ids and adding its jobs leaves:
    // the rerun of a migration must add those jobs, not skip them as existing.
    it('imports them, and still skips an id that holds a job', async () => {
      await shared.claimWithoutJob('orphaned-1', 'reminder');
      await shared.claimWithoutJob('orphaned-2', 'reminder'); // under another name than the snapshot's
      await shared.provider.scheduleJob('reminder', { mine: true }, { jobId: 'real-3', delayMs: 60_000 });

      const report = await shared.provider.importJobs(await snapshots(), { onExisting: 'skip' });
      expect(report.errors).to.deep.equal([]);
      expect([...report.imported].sort()).to.deep.equal(['orphaned-1', 'orphaned-2']);
      expect(report.skipped).to.deep.equal(['real-3']);

      expect(await shared.provider.getJob('orphaned-1')).to.deep.include({ name: 'reminder', data: { n: 1 } });
      expect(await shared.provider.getJob('orphaned-2')).to.deep.include({ name: 'digest', data: { n: 2 } });
      expect((await shared.provider.getJob('real-3'))?.data).to.deep.equal({ mine: true });
    });
  });
}
