import { expect } from 'chai';
import { migrateJobs, ValidationError, type MigrationProgress, type QueueProvider } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

/**
 * What migrateJobs does when the source changes between the copy and the delete of a
 * move, when the target refuses a job, and with bad options. On memory providers:
 * between the last batch's progress report and the first deletion nothing else runs,
 * and the memory provider starts a waiting job (or forgets a cancelled one) within
 * the call, so the change lands exactly there.
 */
describe('migrateJobs when the source changes under it, or the target refuses', () => {
  let from: QueueProvider;
  let to: QueueProvider;
  const open: QueueProvider[] = [];
  const provider = async (options: ConstructorParameters<typeof MemoryQueueProvider>[0] = {}) => {
    const made = new MemoryQueueProvider(options);
    open.push(made);
    await made.connect();
    return made;
  };
  /** Calls `change` once, when the copy phase has handled `total` jobs: just before the deletes. */
  const whenCopied = (total: number, change: () => void) => (progress: MigrationProgress) => {
    if (progress.phase === 'copy' && progress.done === total) change();
  };

  beforeEach(async () => {
    from = await provider();
    to = await provider();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((made) => made.close({ timeoutMs: 100 })));
  });

  it('withdraws the copy of a job that started running on the source after it was copied, and leaves that job in place', async () => {
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    from.registerProcessor({
      name: 'report',
      process: async (job) => {
        started.push(job.id);
        await running;
      },
    });
    await from.scheduleJob('report', { n: 1 }, { jobId: 'starts-meanwhile' });
    await from.scheduleJob('report', { n: 2 }, { jobId: 'stays-put', delayMs: 60_000 });

    const report = await migrateJobs(from, to, { mode: 'move', onProgress: whenCopied(2, () => void from.start()) });
    try {
      expect(started).to.deep.equal(['starts-meanwhile']);
      expect(report.activeLeftInPlace).to.deep.equal([{ id: 'starts-meanwhile', name: 'report' }]);
      expect(report.totals).to.deep.equal({ exported: 2, imported: 2, skipped: 0, verified: 1, deleted: 1, failed: 0 });
      expect(report.complete).to.equal(true);
      expect((await to.listJobs()).map((job) => job.id)).to.deep.equal(['stays-put']);
      expect((await from.getJob('starts-meanwhile'))?.state).to.equal('active');
      expect(await from.getJob('stays-put')).to.equal(null);
    } finally {
      release();
    }
  });

  it('counts a job cancelled on the source after it was copied as moved: the copy is what remains', async () => {
    await from.scheduleJob('report', { n: 1 }, { jobId: 'cancelled-meanwhile', delayMs: 60_000 });

    const report = await migrateJobs(from, to, {
      mode: 'move',
      onProgress: whenCopied(1, () => void from.cancelJob('cancelled-meanwhile')),
    });
    expect(report.totals).to.deep.equal({ exported: 1, imported: 1, skipped: 0, verified: 1, deleted: 1, failed: 0 });
    expect(report.complete).to.equal(true);
    expect(await from.getJob('cancelled-meanwhile')).to.equal(null);
    expect((await to.getJob('cancelled-meanwhile'))?.data).to.deep.equal({ n: 1 });
  });

  it('reports a job the target refuses as failed, keeps it on the source, and moves the rest', async () => {
    to = await provider({ maxPayloadBytes: 1024 });
    await from.scheduleJob('report', { text: 'x'.repeat(2000) }, { jobId: 'too-big', delayMs: 60_000 });
    await from.scheduleJob('report', { text: 'small' }, { jobId: 'fits', delayMs: 60_000 });

    const report = await migrateJobs(from, to, { mode: 'move' });
    expect(report.complete).to.equal(false);
    expect(report.failures).to.have.lengthOf(1);
    expect(report.failures[0]).to.include({ id: 'too-big', name: 'report' });
    expect(report.failures[0]!.reason).to.match(/^import failed: .*data/);
    expect(report.totals).to.deep.equal({ exported: 2, imported: 1, skipped: 0, verified: 1, deleted: 1, failed: 1 });
    expect((await from.listJobs()).map((job) => job.id)).to.deep.equal(['too-big']);
    expect((await to.listJobs()).map((job) => job.id)).to.deep.equal(['fits']);
  });

  for (const [options, field] of [
    [{ mode: 'swap' }, 'mode'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ batchSize: 10_001 }, 'batchSize'],
    [{ batchSize: 2.5 }, 'batchSize'],
  ] as const) {
    it(`refuses ${JSON.stringify(options)} with a ValidationError on ${field}, before reading anything`, async () => {
      await from.scheduleJob('report', null, { jobId: 'untouched', delayMs: 60_000 });
      // @ts-expect-error -- a JavaScript caller's mistake, on purpose
      const error = await migrateJobs(from, to, options).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(ValidationError).and.have.property('field', field);
      expect(await to.listJobs()).to.deep.equal([]);
    });
  }
});
