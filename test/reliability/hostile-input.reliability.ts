/**
 * Hostile input, property-based: generated `scheduleJob` calls (and raw `POST /api/jobs`
 * bodies) on every provider, against real Redis, PostgreSQL and MongoDB. Each call must either store
 * a job whose data reads back equal (as JSON) to what was given, or be refused with a
 * `ValidationError` (HTTP: 400 with `{ error, field }`) that names a field and stores
 * nothing. Never another error, never a 500, never a polluted prototype.
 *
 * Providers are connected but never started: nothing runs, so every stored job stays put
 * for the checks (valid calls are also due a day or more ahead).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { JOB_STATES, ValidationError, type JobInfo, type QueueProvider, type ScheduleOptions } from '@switchyard/core';
import { createAdminServer } from '@switchyard/admin';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { providerFixtures } from '../support/provider-fixtures.js';
import { requestedJobId, scheduleCall } from './support/hostile-arbitraries.js';
import { jsonBody, requestedJobIdOfBody } from './support/hostile-json-bodies.js';
import { guardPrototypes, type PrototypeGuard } from './support/hostile-prototype-guard.js';

const RUNS_PER_PROVIDER = 1000;
const RUNS_PER_STORE = 50;
const RUNS_OVER_HTTP = 1000;
/** Each branch must be hit often enough to mean something. */
const MIN_SHARE_PER_BRANCH = 0.25;

/** Counts of what the property saw, reported after each run. */
class Tally {
  stored = 0;
  storedValidByConstruction = 0;
  repeatedId = 0;
  refused = 0;
  readonly refusedFields = new Map<string, number>();

  refusedOn(field: string): void {
    this.refused += 1;
    const top = field.split(/[.[]/)[0]!;
    this.refusedFields.set(top, (this.refusedFields.get(top) ?? 0) + 1);
  }

  summary(runs: number): string {
    const fields = [...this.refusedFields]
      .sort((a, b) => b[1] - a[1])
      .map(([field, count]) => `${field} ${count}`)
      .join(', ');
    return (
      `${runs} cases: ${this.stored} stored (${this.storedValidByConstruction} valid by construction), ` +
      `${this.repeatedId} repeated an existing id, ${this.refused} refused (${fields})`
    );
  }

  assertBothBranches(runs: number): void {
    expect(this.stored + this.repeatedId, this.summary(runs)).to.be.at.least(runs * MIN_SHARE_PER_BRANCH);
    expect(this.refused, this.summary(runs)).to.be.at.least(runs * MIN_SHARE_PER_BRANCH);
  }
}

/** What a job is, compared through JSON, as Redis and MongoDB store it. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

function identity(job: JobInfo | null): unknown {
  return job === null ? null : asJson({ id: job.id, name: job.name, data: job.data, createdAt: job.createdAt });
}

async function totalJobs(provider: QueueProvider): Promise<number> {
  const stats = await provider.getStats();
  return JOB_STATES.reduce((sum, state) => sum + stats[state], 0);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 300)}` : String(error);
}

describe('hostile input: scheduleJob on every provider', function () {
  this.timeout(120_000);

  for (const fixture of providerFixtures()) {
    it(`${fixture.name}: ${RUNS_PER_PROVIDER} generated calls each store the job exactly or throw ValidationError and store nothing`, async () => {
      const guard = guardPrototypes();
      const tally = new Tally();
      // A fresh provider (own prefix or collection) every RUNS_PER_STORE calls: the in-process test
      // MongoDB scans every stored document per count, so one ever-growing store would be slow.
      for (let round = 0; round < RUNS_PER_PROVIDER / RUNS_PER_STORE; round += 1) {
        const provider = await fixture.make();
        await provider.connect();
        try {
          await scheduleCallsProperty(provider, guard, tally);
        } finally {
          await provider.close({ timeoutMs: 2_000 });
        }
      }
      console.log(`      ${fixture.name}: ${tally.summary(RUNS_PER_PROVIDER)}`);
      tally.assertBothBranches(RUNS_PER_PROVIDER);
    });
  }
});

/** RUNS_PER_STORE generated calls on one provider, each checked against what the provider then holds. */
async function scheduleCallsProperty(provider: QueueProvider, guard: PrototypeGuard, tally: Tally): Promise<void> {
  let expectedTotal = await totalJobs(provider);
  await fc.assert(
    fc.asyncProperty(scheduleCall, async (call) => {
      const jobId = requestedJobId(call);
      const existing = jobId === undefined ? null : await provider.getJob(jobId);
      let id: string | undefined;
      let failure: unknown;
      try {
        id = await provider.scheduleJob(call.name as string, call.data, call.options as ScheduleOptions);
      } catch (error) {
        failure = error;
      }
      guard.assertUntouched(`a ${call.kind} call`);

      if (id === undefined) {
        expect(failure, describeError(failure)).to.be.instanceOf(ValidationError);
        const field = (failure as ValidationError).field;
        expect(field, 'the refused field').to.be.a('string').and.not.equal('');
        expect(call.kind, `a call valid by construction was refused: ${describeError(failure)}`).to.equal('hostile');
        expect(await totalJobs(provider), 'jobs stored after a refused call').to.equal(expectedTotal);
        if (jobId !== undefined) expect(identity(await provider.getJob(jobId))).to.deep.equal(identity(existing));
        tally.refusedOn(field);
        return;
      }

      const job = await provider.getJob(id);
      expect(job, `job ${id} after scheduleJob returned it`).to.not.equal(null);
      if (existing !== null) {
        // Scheduling an id that exists is a no-op that returns the same id.
        expect(id).to.equal(jobId);
        expect(identity(job)).to.deep.equal(identity(existing));
        tally.repeatedId += 1;
      } else {
        expectedTotal += 1;
        expect(job!.name).to.equal(call.name);
        expect(asJson(job!.data), 'stored data').to.deep.equal(asJson(call.data));
        expect(job!.state).to.be.oneOf(['scheduled', 'waiting']);
        expect(job!.runAt, 'runAt').to.be.instanceOf(Date);
        expect(Number.isNaN(job!.runAt!.getTime()), 'runAt is an Invalid Date').to.equal(false);
        tally.stored += 1;
        if (call.kind === 'valid') tally.storedValidByConstruction += 1;
      }
      expect(await totalJobs(provider), 'jobs stored after an accepted call').to.equal(expectedTotal);
    }),
    // The property is stateful (the provider keeps what it stored), so a shrunk replay would not be the same case.
    { numRuns: RUNS_PER_STORE, endOnFailure: true },
  );
}

describe('hostile input: POST /api/jobs on the admin server', function () {
  this.timeout(120_000);
  const token = 'hostile-input-token-0123456789';
  const authorization = `Bearer ${token}`;
  let provider: QueueProvider;
  let app: FastifyInstance;

  before(async () => {
    provider = new MemoryQueueProvider();
    await provider.connect();
    // No rate limit: a thousand requests from one address is the point here, not abuse.
    app = createAdminServer({ provider, token, rateLimit: false });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await provider.close({ timeoutMs: 2_000 });
  });

  it(`${RUNS_OVER_HTTP} generated bodies each get 201 with the job stored exactly, or 400 { error, field } / 413 and nothing stored`, async () => {
    const guard = guardPrototypes();
    const tally = new Tally();
    let expectedTotal = await totalJobs(provider);
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const jobId = requestedJobIdOfBody(body.text);
        const existing = jobId === undefined ? null : await provider.getJob(jobId);
        const response = await app.inject({
          method: 'POST',
          url: '/api/jobs',
          headers: { authorization, 'content-type': 'application/json' },
          payload: body.text,
        });
        guard.assertUntouched(`a ${body.kind} body`);
        const answer = response.json<{ id?: string; created?: boolean; error?: string; field?: string }>();
        const context = `${response.statusCode} ${response.body.slice(0, 300)} for ${body.text.slice(0, 300)}`;

        if (response.statusCode === 400 || response.statusCode === 413) {
          expect(answer.error, context).to.be.a('string').and.not.equal('');
          if (response.statusCode === 400) expect(answer.field, context).to.be.a('string').and.not.equal('');
          expect(body.kind, `a body valid by construction was refused: ${context}`).to.equal('hostile');
          expect(await totalJobs(provider), context).to.equal(expectedTotal);
          if (jobId !== undefined) expect(identity(await provider.getJob(jobId))).to.deep.equal(identity(existing));
          tally.refusedOn(answer.field ?? `HTTP ${response.statusCode}`);
          return;
        }

        expect(response.statusCode, context).to.be.oneOf([200, 201]);
        expect(answer.id, context).to.be.a('string');
        const job = await provider.getJob(answer.id!);
        expect(job, context).to.not.equal(null);
        if (response.statusCode === 200) {
          expect(existing, `200 means the id existed: ${context}`).to.not.equal(null);
          expect(answer).to.deep.equal({ id: jobId, created: false });
          expect(identity(job)).to.deep.equal(identity(existing));
          tally.repeatedId += 1;
        } else {
          expect(existing, `201 for an id that existed: ${context}`).to.equal(null);
          // fastify skips a leading byte order mark; JSON.parse does not.
          const sent = JSON.parse(body.text.replace(/^\ufeff/, '')) as { name: unknown; data?: unknown };
          expect(asJson(job!.data), context).to.deep.equal(asJson(sent.data));
          // And the API reads it back the same.
          const read = await app.inject({
            method: 'GET',
            url: `/api/jobs/${encodeURIComponent(answer.id!)}`,
            headers: { authorization },
          });
          expect(read.statusCode, context).to.equal(200);
          expect(asJson(read.json<JobInfo>().data), context).to.deep.equal(asJson(sent.data));
          expectedTotal += 1;
          tally.stored += 1;
          if (body.kind === 'valid') tally.storedValidByConstruction += 1;
        }
        expect(await totalJobs(provider), context).to.equal(expectedTotal);
      }),
      { numRuns: RUNS_OVER_HTTP, endOnFailure: true },
    );
    console.log(`      admin over memory: ${tally.summary(RUNS_OVER_HTTP)}`);
    tally.assertBothBranches(RUNS_OVER_HTTP);
  });
});
