import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { EventRecorder, once, recordingProcessor, waitFor } from '@switchyard/core/testing';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import {
  mongoUriForDatabase,
  startMongo,
  uniqueDatabaseName,
  type StartedMongo,
} from '../../../test/support/start-mongo.js';
import { runScript, type ScriptProcess } from '../../../test/support/script-process.js';

/** Short lock and poll, so that a dead worker's job is picked up within a couple of seconds. */
const LOCK_LIFETIME_MS = 1000;
const PROCESS_EVERY_MS = 100;

describe('AgendaQueueProvider: workers in other processes', function () {
  this.timeout(40_000);
  let mongo: StartedMongo;
  let mongoUrl: string;
  const providers: AgendaQueueProvider[] = [];
  const workers: ScriptProcess[] = [];

  before(async () => {
    mongo = await startMongo();
    mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('agenda_workers'));
  });

  after(async () => {
    await mongo?.stop();
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.child.kill('SIGKILL');
    await Promise.all(providers.splice(0).map((provider) => provider.close({ timeoutMs: 100 })));
  });

  function provider(collection: string): AgendaQueueProvider {
    const made = new AgendaQueueProvider({
      mongoUrl,
      collection,
      processEveryMs: PROCESS_EVERY_MS,
      lockLifetimeMs: LOCK_LIFETIME_MS,
      connectTimeoutMs: 3000,
    });
    providers.push(made);
    return made;
  }

  function worker(collection: string, mode: 'hang' | 'record', concurrency = 1): ScriptProcess {
    const config = {
      mongoUrl,
      collection,
      mode,
      processEveryMs: PROCESS_EVERY_MS,
      lockLifetimeMs: LOCK_LIFETIME_MS,
      concurrency,
    };
    const started = runScript(new URL('./fixtures/agenda-worker.ts', import.meta.url), [JSON.stringify(config)]);
    workers.push(started);
    return started;
  }

  it('runs the job of a worker killed with SIGKILL mid-job again in another worker once the lock expires', async () => {
    const collection = `crash_${randomUUID()}`;
    const producer = provider(collection);
    await producer.connect();
    const crashing = worker(collection, 'hang');
    await crashing.line(/^ready$/, 20_000);
    const id = await producer.scheduleJob('work', { payload: 'survives the crash' }, { attempts: 1 });

    await crashing.line(new RegExp(`^started ${id} 1$`), 10_000);
    expect((await producer.getJob(id))?.state).to.equal('active');
    crashing.child.kill('SIGKILL');
    expect(await crashing.exited(5000)).to.equal('SIGKILL');
    const killedAt = Date.now();

    const processor = recordingProcessor('work', (job) => job.data);
    const rescuer = provider(collection);
    await rescuer.connect();
    const stalled = once(rescuer, 'stalled', (jobId) => jobId === id, { timeoutMs: 10_000 });
    const events = new EventRecorder(rescuer);
    rescuer.registerProcessor(processor);
    await rescuer.start();

    expect(await stalled).to.deep.equal([id, 'work']);
    const { result } = await events.completion(id, 10_000);
    expect(result).to.deep.equal({ payload: 'survives the crash' });
    // Not before the dead worker's lock ran out (it was renewed at most LOCK_LIFETIME_MS / 3 before the kill).
    expect(processor.attemptsOf(id)[0]!.startedAt - killedAt).to.be.at.least((2 * LOCK_LIFETIME_MS) / 3 - 50);
    // A crash is not a failed attempt: the single attempt allowed was still there, and is the one that ran.
    expect(processor.attemptsOf(id).map((attempt) => attempt.attempt)).to.deep.equal([1]);
    const job = await rescuer.getJob(id);
    expect(job).to.deep.include({ state: 'completed', attemptsMade: 1 });
  });

  it('never runs the same job attempt twice when two worker processes share the jobs', async () => {
    const collection = `shared_${randomUUID()}`;
    const producer = provider(collection);
    await producer.connect();
    const first = worker(collection, 'record', 3);
    const second = worker(collection, 'record', 3);
    await Promise.all([first.line(/^ready$/, 20_000), second.line(/^ready$/, 20_000)]);

    const jobCount = 60;
    const ids: string[] = [];
    for (let i = 0; i < jobCount; i += 1)
      ids.push(await producer.scheduleJob('work', { i }, { priority: 1 + (i % 10) }));
    await waitFor(async () => (await producer.getStats('work')).completed === jobCount, {
      timeoutMs: 20_000,
      intervalMs: 50,
      message: `all ${jobCount} jobs to complete`,
    });

    const runs = [first, second].map((process) => process.lines.filter((line) => line.startsWith('ran ')));
    const executions = new Map<string, number>();
    for (const line of runs.flat()) {
      const [, id, attempt] = line.split(' ');
      expect(attempt).to.equal('1', `job ${id} needed a second attempt`);
      executions.set(id!, (executions.get(id!) ?? 0) + 1);
    }
    expect([...executions.keys()]).to.have.members(ids);
    expect([...executions.entries()].filter(([, count]) => count !== 1)).to.deep.equal([], 'jobs run more than once');
    expect(
      runs.map((lines) => lines.length),
      'jobs run by each worker',
    ).to.satisfy((counts: number[]) => counts.every((n) => n > 0));
  });
});
