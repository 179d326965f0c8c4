/**
 * Data that BullMQ, or PostgreSQL under it, would not give back as it was given: no
 * data at all (BullMQ stores `undefined` as `{}`), and U+0000 in a string
 * (PostgreSQL's jsonb refuses it). Each reads back as JSON would carry it, runs, and
 * exports the same, on both backends. And ids: 'NaN', which BullMQ takes for an integer,
 * and one holding U+0000, which PostgreSQL cannot even be asked about.
 */
import { expect } from 'chai';
import type { JobInfo, QueueProvider } from '@switchyard/core';
import { waitFor } from '@switchyard/core/testing';
import { bullmqPostgresFixture, bullmqRedisFixture } from '../../../test/support/provider-fixtures.js';

const WITH_NUL = { text: 'a\u0000b', list: ['\u0000'], nested: { ok: true } };

for (const fixture of [bullmqRedisFixture, bullmqPostgresFixture]) {
  describe(`BullMQQueueProvider on ${fixture.name}: data kept as JSON carries it`, function () {
    this.timeout(30_000);
    let provider: QueueProvider;

    beforeEach(async () => {
      provider = await fixture.make();
      await provider.connect();
    });

    afterEach(() => provider.close({ timeoutMs: 1000 }));

    it('reads U+0000 in strings back, and hands it to the processor and to an export unchanged', async () => {
      const delayed = await provider.scheduleJob('nul', WITH_NUL, { delayMs: 3_600_000 });
      const repeating = await provider.scheduleJob('nul', WITH_NUL, { repeat: { everyMs: 3_600_000 } });
      expect((await provider.getJob(delayed))?.data).to.deep.equal(WITH_NUL);
      expect((await provider.getJob(repeating))?.data).to.deep.equal(WITH_NUL);
      const exported = [];
      for await (const snapshot of provider.exportJobs()) exported.push(snapshot);
      expect(exported.map((snapshot) => snapshot.data)).to.deep.equal([WITH_NUL, WITH_NUL]);

      const seen: JobInfo[] = [];
      provider.registerProcessor({ name: 'nul', process: async (job) => void seen.push(job) });
      await provider.start();
      const now = await provider.scheduleJob('nul', WITH_NUL);
      await waitFor(async () => (await provider.getJob(now))?.state === 'completed', {
        timeoutMs: 10_000,
        message: 'the job to complete',
      });
      expect(seen.find((job) => job.id === now)?.data).to.deep.equal(WITH_NUL);
    });

    it("schedules and finds a job with the id 'NaN', which BullMQ's integer test refuses unencoded", async () => {
      expect(await provider.scheduleJob('nan', { n: 1 }, { jobId: 'NaN', delayMs: 60_000 })).to.equal('NaN');
      expect(await provider.getJob('NaN')).to.deep.include({ id: 'NaN', data: { n: 1 } });
    });

    it('finds no job by an id holding U+0000 (no job can have one), rather than failing', async () => {
      expect(await provider.getJob('bad\u0000id')).to.equal(null);
      expect(await provider.cancelJob('bad\u0000id')).to.equal(false);
      expect(await provider.retryJob('bad\u0000id')).to.equal(false);
    });

    it('reads a job scheduled with no data back with null data, as JSON has it', async () => {
      const id = await provider.scheduleJob('no-data', undefined, { delayMs: 3_600_000 });
      expect((await provider.getJob(id))?.data).to.equal(null);
    });
  });
}
