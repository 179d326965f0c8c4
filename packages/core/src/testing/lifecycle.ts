import { expect } from 'chai';
import { ProviderClosedError, ValidationError } from '../errors.js';
import type { JobProcessor } from '../job-processor.js';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '../job-snapshot.js';
import type { QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { Latch } from './latch.js';
import { recordingProcessor } from './recording-processor.js';
import { rejectionOf } from './rejection.js';
import { settlesWithin, waitFor } from './waiting.js';

const HOUR_MS = 3_600_000;

function snapshot(id: string): JobSnapshot {
  const now = Date.now();
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id,
    name: 'imported',
    data: { id },
    state: 'scheduled',
    runAt: new Date(now + HOUR_MS).toISOString(),
    priority: 5,
    attempts: 1,
    attemptsMade: 0,
    backoff: null,
    timeoutMs: null,
    repeat: null,
    createdAt: new Date(now).toISOString(),
  };
}

/** Every public method but `close`, `on` and `off`, called with good arguments, by name. */
function everyCall(provider: QueueProvider): Record<string, () => unknown> {
  return {
    connect: () => provider.connect(),
    scheduleJob: () => provider.scheduleJob('lifecycle', {}, { delayMs: HOUR_MS }),
    cancelJob: () => provider.cancelJob('some-id'),
    getJob: () => provider.getJob('some-id'),
    listJobs: () => provider.listJobs(),
    retryJob: () => provider.retryJob('some-id'),
    registerProcessor: () => provider.registerProcessor({ name: 'late', process: async () => undefined }),
    start: () => provider.start(),
    pause: () => provider.pause('lifecycle'),
    resume: () => provider.resume(),
    getStats: () => provider.getStats(),
    clean: () => provider.clean({ states: ['completed'], olderThanMs: 0 }),
    exportJobs: () => provider.exportJobs()[Symbol.asyncIterator]().next(),
    importJobs: () => provider.importJobs([snapshot('imported-1')]),
  };
}

async function expectRefused(action: () => unknown, field: string, what: string): Promise<void> {
  const error = await rejectionOf(action);
  expect(error, what).to.be.instanceOf(ValidationError);
  expect((error as ValidationError).field, what).to.equal(field);
}

/**
 * The lifecycle and the arguments of every method, the same on every provider (the
 * answers are those of `BaseQueueProvider`'s table, written in `QueueProvider`'s doc
 * comments): before `connect`, while closing and after `close`; twice; and with each
 * bad argument.
 */
export function describeLifecycle(fixture: ContractFixture): void {
  describe('lifecycle and arguments', () => {
    it('answers every method before connect(), connecting first', async () => {
      const provider = await fixture.newProvider();
      const id = await provider.scheduleJob('lifecycle', { n: 1 }, { jobId: 'before-connect', delayMs: HOUR_MS });
      expect((await provider.getJob(id))?.data).to.deep.equal({ n: 1 });
      const fresh = [await fixture.newProvider(), await fixture.newProvider(), await fixture.newProvider()];
      expect(await fresh[0]!.listJobs({ names: ['nobody'] })).to.deep.equal([]);
      expect(await fresh[1]!.getStats('nobody')).to.deep.include({ scheduled: 0, paused: false });
      expect(await fresh[2]!.checkHealth()).to.deep.include({ healthy: true });
      for (const [method, call] of Object.entries(everyCall(await fixture.newProvider()))) {
        await settlesWithin(Promise.resolve(call()), fixture.deadline(), `${method} before connect()`);
      }
    });

    it('connects and starts twice without harm, and close() twice resolves both times', async () => {
      const provider = await fixture.newProvider();
      await Promise.all([provider.connect(), provider.connect()]);
      await provider.connect();
      await provider.start();
      await provider.start();
      await provider.close({ timeoutMs: 100 });
      await provider.close({ timeoutMs: 100 });
    });

    it('refuses every method with ProviderClosedError after close(); checkHealth says unhealthy', async () => {
      const provider = await fixture.connectedProvider();
      await provider.close({ timeoutMs: 100 });
      for (const [method, call] of Object.entries(everyCall(provider))) {
        expect(await rejectionOf(call), `${method} after close()`).to.be.instanceOf(ProviderClosedError);
      }
      const closed = await fixture.connectedProvider();
      await closed.close({ timeoutMs: 100 });
      expect(await closed.checkHealth()).to.deep.include({ healthy: false, error: 'provider is closed' });
      const neverConnected = await fixture.newProvider();
      await neverConnected.close({ timeoutMs: 100 });
      expect(await rejectionOf(() => neverConnected.getJob('x'))).to.be.instanceOf(ProviderClosedError);
    });

    it('refuses every method with ProviderClosedError while closing', async () => {
      const gate = new Latch();
      const processor = recordingProcessor('held', () => gate.wait());
      const provider = await fixture.startedProvider([processor]);
      await provider.scheduleJob('held', {});
      await waitFor(() => processor.active === 1, { timeoutMs: fixture.deadline(), message: 'the job to start' });
      const closing = provider.close({ timeoutMs: 10_000 });
      for (const [method, call] of Object.entries(everyCall(provider))) {
        expect(await rejectionOf(call), `${method} while closing`).to.be.instanceOf(ProviderClosedError);
      }
      expect(await provider.checkHealth()).to.deep.include({ healthy: false });
      gate.open();
      await settlesWithin(closing, fixture.deadline(), 'close()');
    });

    it('refuses bad processors and registration options, and a second processor for a name', async () => {
      const provider = await fixture.connectedProvider();
      const process = async () => undefined;
      const bad: [string, () => void, string][] = [
        ['no processor', () => provider.registerProcessor(undefined as unknown as JobProcessor), 'processor'],
        ['an empty name', () => provider.registerProcessor({ name: '', process }), 'processor.name'],
        [
          'a name that is not a string',
          () => provider.registerProcessor({ name: 7, process } as unknown as JobProcessor),
          'processor.name',
        ],
        ["a name with ':'", () => provider.registerProcessor({ name: 'a:b', process }), 'processor.name'],
        [
          'no process function',
          () => provider.registerProcessor({ name: 'b' } as unknown as JobProcessor),
          'processor.process',
        ],
        ['concurrency 0', () => provider.registerProcessor({ name: 'c', process }, { concurrency: 0 }), 'concurrency'],
        [
          'concurrency 1.5',
          () => provider.registerProcessor({ name: 'c', process }, { concurrency: 1.5 }),
          'concurrency',
        ],
        [
          "concurrency '2'",
          () => provider.registerProcessor({ name: 'c', process }, { concurrency: '2' as unknown as number }),
          'concurrency',
        ],
        [
          'an unknown option',
          () => provider.registerProcessor({ name: 'c', process }, { parallel: 2 } as never),
          'options.parallel',
        ],
      ];
      for (const [what, call, field] of bad) await expectRefused(call, field, what);
      provider.registerProcessor({ name: 'twice', process });
      await expectRefused(
        () => provider.registerProcessor({ name: 'twice', process }),
        'processor.name',
        'a second processor for a name',
      );
    });

    it('runs the jobs of a processor registered after start()', async () => {
      const provider = await fixture.startedProvider([]);
      const events = new EventRecorder(provider);
      const id = await provider.scheduleJob('registered-late', { n: 1 });
      provider.registerProcessor(recordingProcessor('registered-late', () => 'done'));
      expect((await events.completion(id, fixture.deadline())).result).to.equal('done');
    });

    it('refuses every bad argument of every method with ValidationError naming it, and stores nothing', async () => {
      const provider = await fixture.connectedProvider();
      const bad: [string, () => unknown, string][] = [
        ["getJob('')", () => provider.getJob(''), 'jobId'],
        ['getJob(42)', () => provider.getJob(42 as unknown as string), 'jobId'],
        ['cancelJob(undefined)', () => provider.cancelJob(undefined as unknown as string), 'jobId'],
        ['retryJob({})', () => provider.retryJob({} as unknown as string), 'jobId'],
        ["pause('')", () => provider.pause(''), 'name'],
        ['pause(42)', () => provider.pause(42 as unknown as string), 'name'],
        ["resume('a:b')", () => provider.resume('a:b'), 'name'],
        ["getStats('')", () => provider.getStats(''), 'name'],
        ['listJobs(5)', () => provider.listJobs(5 as never), 'query'],
        ['listJobs({ limit: 0 })', () => provider.listJobs({ limit: 0 }), 'limit'],
        ['listJobs({ offset: -1 })', () => provider.listJobs({ offset: -1 }), 'offset'],
        ["listJobs({ names: 'x' })", () => provider.listJobs({ names: 'x' as never }), 'names'],
        ["listJobs({ names: [''] })", () => provider.listJobs({ names: [''] }), 'names'],
        ["listJobs({ states: ['running'] })", () => provider.listJobs({ states: ['running' as never] }), 'states'],
        ['listJobs({ colour })', () => provider.listJobs({ colour: 'red' } as never), 'query.colour'],
        [
          'exportJobs({ names: [1] })',
          () =>
            provider
              .exportJobs({ names: [1 as never] })
              [Symbol.asyncIterator]()
              .next(),
          'names',
        ],
        ['clean(undefined)', () => provider.clean(undefined as never), 'options'],
        [
          "clean({ states: ['active'] })",
          () => provider.clean({ states: ['active' as never], olderThanMs: 0 }),
          'states',
        ],
        ['clean({ olderThanMs: -1 })', () => provider.clean({ states: ['completed'], olderThanMs: -1 }), 'olderThanMs'],
        ['importJobs(5)', () => provider.importJobs(5 as never), 'jobs'],
        [
          "importJobs([], { onExisting: 'merge' })",
          () => provider.importJobs([], { onExisting: 'merge' as never }),
          'onExisting',
        ],
        ['close({ timeoutMs: -1 })', () => provider.close({ timeoutMs: -1 }), 'timeoutMs'],
        ['close({ timeoutMs: NaN })', () => provider.close({ timeoutMs: Number.NaN }), 'timeoutMs'],
      ];
      for (const [what, call, field] of bad) await expectRefused(call, field, what);
      // A refused close() did not close it.
      await provider.scheduleJob('still-open', {}, { delayMs: HOUR_MS });
      expect(await provider.listJobs()).to.have.lengthOf(1);
    });
  });
}
