import { expect } from 'chai';
import { containerEnvironments } from '../support/container-environments.js';
import { runScript } from '../support/script-process.js';

const slowJobWorker = new URL('./fixtures/slow-job-worker.ts', import.meta.url);
const heldStartWorker = new URL('./fixtures/held-start-worker.ts', import.meta.url);
const workerEnvironment = {
  QUEUE_PROVIDER: 'memory',
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'info',
  SHUTDOWN_TIMEOUT_MS: '5000',
};

/** The shutdown on memory, and on BullMQ's two backends, whose workers and locks are the provider's. */
const shutdownEnvironments = containerEnvironments().filter((each) =>
  ['memory', 'bullmq-redis', 'bullmq-postgres'].includes(each.name),
);

describe('worker process', () => {
  for (const environment of shutdownEnvironments) {
    it(`${environment.name}: on SIGTERM lets the active job finish, then exits 0`, async () => {
      // The environment's provider, logging at info (its base says warn) for the lines below.
      const env = { ...workerEnvironment, ...(await environment.env()), LOG_LEVEL: 'info' };
      const worker = runScript(slowJobWorker, [], env);
      await worker.line(/job started slow-1/, 15_000);
      worker.child.kill('SIGTERM');
      const code = await worker.exited(15_000);

      const lines = worker.lines;
      const output = `${lines.join('\n')}\n${worker.stderr()}`;
      expect(code, output).to.equal(0);
      const finished = lines.findIndex((l) => l.includes('job finished slow-1'));
      const stopping = lines.findIndex((l) => l.includes('worker stopping'));
      const stopped = lines.findIndex((l) => l.includes('"worker stopped"'));
      expect(stopping, output).to.be.greaterThan(-1);
      expect(finished, output).to.be.greaterThan(stopping);
      expect(
        lines.some((l) => l.includes('completed slow-1')),
        output,
      ).to.equal(true);
      expect(stopped, output).to.be.greaterThan(finished);
    });
  }

  it('a SIGTERM while it is still starting stops it once started: exit 0, not killed by the signal', async () => {
    const worker = runScript(heldStartWorker, [], workerEnvironment);
    await worker.line(/^configuring$/, 15_000);
    worker.child.kill('SIGTERM');
    worker.child.stdin!.end('go\n');

    const code = await worker.exited(15_000);
    const output = `${worker.lines.join('\n')}\n${worker.stderr()}`;
    expect(code, output).to.equal(0);
    const started = worker.lines.findIndex((l) => l.includes('"worker started"'));
    expect(started, output).to.be.greaterThan(-1);
    expect(
      worker.lines.findIndex((l) => l.includes('"worker stopped"')),
      output,
    ).to.be.greaterThan(started);
  });

  it('runs as the switchyard-worker bin too (kept for services that run it): started, then SIGTERM, exit 0', async () => {
    const bin = new URL('../../packages/container/dist/bin/switchyard-worker.js', import.meta.url);
    const worker = runScript(bin, [], workerEnvironment);
    await worker.line(/"worker started"/, 15_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited(10_000), worker.stderr()).to.equal(0);
    expect(worker.lines.join('\n')).to.include('"worker stopped"');
  });

  it('exits 1 with the configuration problems when started with a bad environment', async () => {
    const worker = runScript(slowJobWorker, [], { QUEUE_PROVIDER: 'nope', JOB_CONCURRENCY: '-3' });
    expect(await worker.exited(15_000)).to.equal(1);
    expect(worker.stderr()).to.include('QUEUE_PROVIDER').and.include('JOB_CONCURRENCY');
  });
});
