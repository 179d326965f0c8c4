/**
 * The admin HTTP API, route by route, over a real provider: one suite, run once per
 * provider (memory here, Bull in test/admin) the way the contract suite is. Requests go
 * through `fastify.inject`, so no port is opened; the provider is never stubbed.
 */
import { expect } from 'chai';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { JobInfo, JobState, QueueProvider } from '@switchyard/core';
import { EventRecorder, Latch, waitFor } from '@switchyard/core/testing';
import { createAdminServer } from '@switchyard/admin';

export interface AdminProviderFixture {
  /** Shown in the suite's title. */
  name: string;
  /** A fresh, unconnected provider that shares no jobs with any other one made. */
  make(): Promise<QueueProvider>;
  /** How long a job may take to reach a state on this provider. */
  settleTimeoutMs?: number;
}

export const TEST_TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

/** Every /api route, with a request that would succeed given a token. */
const API_ROUTES: (InjectOptions & { url: string })[] = [
  { method: 'GET', url: '/api/queues' },
  { method: 'GET', url: '/api/queues/email/jobs' },
  { method: 'POST', url: '/api/queues/email/pause' },
  { method: 'POST', url: '/api/queues/email/resume' },
  { method: 'POST', url: '/api/queues/email/clean', payload: { state: 'completed', olderThanMs: 0 } },
  { method: 'GET', url: '/api/jobs/some-id' },
  { method: 'POST', url: '/api/jobs/some-id/retry' },
  { method: 'DELETE', url: '/api/jobs/some-id' },
  { method: 'POST', url: '/api/jobs', payload: { name: 'email', data: {} } },
];

export function describeAdminHttpApi(fixture: AdminProviderFixture): void {
  describe(`admin HTTP API on ${fixture.name}`, function () {
    this.timeout(30_000);
    const settle = { timeoutMs: fixture.settleTimeoutMs ?? 5_000 };

    let provider: QueueProvider;
    let app: FastifyInstance;
    /** Holds `slow` jobs in `active` until opened. */
    let gate: Latch;
    /** While true, `email` jobs with `{ fail: true }` throw; the retry test turns it off. */
    let failing: boolean;

    const call = async (options: InjectOptions) => {
      const response = await app.inject({ ...options, headers: { ...AUTH, ...options.headers } });
      return { status: response.statusCode, body: response.json<Record<string, unknown>>(), headers: response.headers };
    };
    const job = async (id: string) => provider.getJob(id);
    const waitForState = async (id: string, state: JobState) => {
      await waitFor(async () => (await job(id))?.state === state, { ...settle, message: `job ${id} to be ${state}` });
    };
    /** The provider's events, seen by the admin server's metrics as they are by this recorder. */
    let events: EventRecorder;
    /**
     * An `email` job that ran to `state`: stored so, and its event emitted. A backend
     * stores the outcome before the worker's event says it (BullMQ), so the state alone
     * does not tell that the metrics have counted the job.
     */
    const finishedEmail = async (state: 'completed' | 'failed', data: Record<string, unknown> = {}) => {
      const id = await provider.scheduleJob('email', { ...data, fail: state === 'failed' }, { attempts: 1 });
      await (state === 'completed' ? events.completion(id, settle.timeoutMs) : events.failure(id, settle.timeoutMs));
      await waitForState(id, state);
      return id;
    };

    beforeEach(async () => {
      gate = new Latch();
      failing = true;
      provider = await fixture.make();
      events = new EventRecorder(provider);
      await provider.connect();
      provider.registerProcessor({
        name: 'email',
        process: async (info: JobInfo) => {
          if (failing && (info.data as { fail?: boolean }).fail === true) throw new Error('smtp refused the message');
          return { sent: true };
        },
      });
      provider.registerProcessor({ name: 'slow', process: (_info, ctx) => gate.wait(ctx.signal) });
      await provider.start();
      // Rescan names on every request: the suite schedules jobs behind the API's back.
      app = createAdminServer({ provider, token: TEST_TOKEN, nameDiscovery: { refreshIntervalMs: 0 } });
      await app.ready();
    });

    afterEach(async () => {
      gate.open();
      await app.close();
      await provider.close({ timeoutMs: 2_000 });
    });

    describe('authentication', () => {
      for (const route of API_ROUTES) {
        it(`refuses ${String(route.method)} ${route.url} without a token, with a wrong one and with one of another length, identically`, async () => {
          const answers = await Promise.all(
            [undefined, `Bearer ${TEST_TOKEN.replace(/.$/, 'X')}`, 'Bearer short', `Basic ${TEST_TOKEN}`].map(
              (authorization) =>
                app.inject({ ...route, headers: authorization === undefined ? {} : { authorization } }),
            ),
          );
          for (const answer of answers) {
            expect(answer.statusCode).to.equal(401);
            expect(answer.json()).to.deep.equal({ error: 'Missing or invalid bearer token' });
            expect(answer.headers['www-authenticate']).to.equal('Bearer realm="switchyard-admin"');
          }
          expect(new Set(answers.map((answer) => answer.body)).size).to.equal(1);
        });
      }

      it('does not read the body of an unauthenticated request (no 400 for broken JSON)', async () => {
        const response = await app.inject({
          method: 'POST',
          url: '/api/jobs',
          headers: { 'content-type': 'application/json' },
          payload: '{not json',
        });
        expect(response.statusCode).to.equal(401);
      });

      it('refuses unknown /api paths without a token with 401, and answers 404 with one', async () => {
        expect((await app.inject({ url: '/api/nowhere' })).statusCode).to.equal(401);
        const { status, body } = await call({ url: '/api/nowhere' });
        expect(status).to.equal(404);
        expect(body).to.deep.equal({ error: 'Not found' });
      });

      it('lets /health and /metrics through without a token', async () => {
        expect((await app.inject({ url: '/health' })).statusCode).to.equal(200);
        expect((await app.inject({ url: '/metrics' })).statusCode).to.equal(200);
      });
    });

    describe('GET /health', () => {
      it('answers 200 with the provider health while it is healthy', async () => {
        const response = await app.inject({ url: '/health' });
        expect(response.statusCode).to.equal(200);
        expect(response.json()).to.include({ healthy: true, provider: provider.name });
      });

      it('answers 503 once the provider is closed', async () => {
        await provider.close({ timeoutMs: 1_000 });
        const response = await app.inject({ url: '/health' });
        expect(response.statusCode).to.equal(503);
        expect(response.json()).to.include({ healthy: false, provider: provider.name });
      });
    });

    describe('GET /api/queues', () => {
      it('lists every job name with its counts per state and its paused flag', async () => {
        await finishedEmail('completed');
        await finishedEmail('failed');
        await provider.scheduleJob('email', {}, { delayMs: 3_600_000 });
        await provider.scheduleJob('report', {}, { delayMs: 3_600_000 });
        await provider.pause('report');

        const { status, body } = await call({ url: '/api/queues' });
        expect(status).to.equal(200);
        expect(body.provider).to.equal(provider.name);
        const queues = body.queues as { name: string; counts: Record<JobState, number>; paused: boolean }[];
        expect(queues.map((queue) => queue.name)).to.include.members(['email', 'report']);
        expect(queues.find((queue) => queue.name === 'email')).to.deep.equal({
          name: 'email',
          counts: { scheduled: 1, waiting: 0, active: 0, completed: 1, failed: 1 },
          paused: false,
        });
        expect(queues.find((queue) => queue.name === 'report')).to.deep.include({ paused: true });
      });
    });

    describe('GET /api/queues/:name/jobs', () => {
      it('pages through one name, oldest first, with the total for the state', async () => {
        for (let i = 0; i < 5; i += 1) await provider.scheduleJob('email', { i }, { delayMs: 3_600_000 });
        await provider.scheduleJob('other', {}, { delayMs: 3_600_000 });
        // The provider's own order (createdAt, then id): jobs made in the same millisecond sort by id.
        const ids = (await provider.listJobs({ names: ['email'], states: ['scheduled'] })).map((j) => j.id);
        expect(ids).to.have.length(5);

        const first = await call({ url: '/api/queues/email/jobs?state=scheduled&limit=2' });
        expect(first.status).to.equal(200);
        expect(first.body).to.include({ name: 'email', state: 'scheduled', offset: 0, limit: 2, total: 5 });
        const second = await call({ url: '/api/queues/email/jobs?state=scheduled&limit=2&offset=2' });
        const last = await call({ url: '/api/queues/email/jobs?state=scheduled&limit=2&offset=4' });
        const paged = [first, second, last].flatMap((page) => (page.body.jobs as JobInfo[]).map((j) => j.id));
        expect(paged).to.deep.equal(ids);
      });

      it('filters by state, and lists every state without one', async () => {
        const failed = await finishedEmail('failed');
        const completed = await finishedEmail('completed');
        const failedPage = await call({ url: '/api/queues/email/jobs?state=failed' });
        expect((failedPage.body.jobs as JobInfo[]).map((j) => j.id)).to.deep.equal([failed]);
        expect(failedPage.body.total).to.equal(1);
        const all = await call({ url: '/api/queues/email/jobs' });
        expect((all.body.jobs as JobInfo[]).map((j) => j.id)).to.have.members([failed, completed]);
        expect(all.body).to.include({ state: null, total: 2, offset: 0, limit: 20 });
      });

      it('answers an empty page for a name with no jobs', async () => {
        const { status, body } = await call({ url: '/api/queues/nobody/jobs' });
        expect(status).to.equal(200);
        expect(body).to.include({ total: 0 });
        expect(body.jobs).to.deep.equal([]);
      });

      const badQueries: [string, string][] = [
        ['state=finished', 'state'],
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=ten', 'limit'],
        ['offset=-1', 'offset'],
        ['page=2', 'page'],
      ];
      for (const [query, field] of badQueries) {
        it(`answers 400 naming '${field}' for ?${query}`, async () => {
          const { status, body } = await call({ url: `/api/queues/email/jobs?${query}` });
          expect(status).to.equal(400);
          expect(body.field).to.equal(field);
          expect(body.error).to.be.a('string').that.includes(field);
        });
      }

      it("answers 400 naming 'name' for a name over 200 characters", async () => {
        const { status, body } = await call({ url: `/api/queues/${'n'.repeat(201)}/jobs` });
        expect(status).to.equal(400);
        expect(body.field).to.equal('name');
      });
    });

    describe('POST /api/queues/:name/pause and /resume', () => {
      it('pauses and resumes one name', async () => {
        const paused = await call({ method: 'POST', url: '/api/queues/email/pause' });
        expect(paused).to.deep.include({ status: 200, body: { name: 'email', paused: true } });
        expect((await provider.getStats('email')).paused).to.equal(true);
        const waiting = await provider.scheduleJob('email', {});
        await waitForState(waiting, 'waiting');

        const resumed = await call({ method: 'POST', url: '/api/queues/email/resume' });
        expect(resumed).to.deep.include({ status: 200, body: { name: 'email', paused: false } });
        await waitForState(waiting, 'completed');
      });
    });

    describe('POST /api/queues/:name/clean', () => {
      it('removes the finished jobs of that name in the given state only', async () => {
        const completed = await finishedEmail('completed');
        const failed = await finishedEmail('failed');
        const scheduled = await provider.scheduleJob('email', {}, { delayMs: 3_600_000 });
        await provider.scheduleJob('other', {}, { attempts: 1 });

        const { status, body } = await call({
          method: 'POST',
          url: '/api/queues/email/clean',
          payload: { state: 'completed', olderThanMs: 0 },
        });
        expect(status).to.equal(200);
        expect(body).to.deep.equal({ name: 'email', state: 'completed', olderThanMs: 0, removed: 1 });
        expect(await job(completed)).to.equal(null);
        expect(await job(failed)).to.not.equal(null);
        expect(await job(scheduled)).to.not.equal(null);
      });

      it('keeps jobs that finished more recently than olderThanMs', async () => {
        const completed = await finishedEmail('completed');
        const { body } = await call({
          method: 'POST',
          url: '/api/queues/email/clean',
          payload: { state: 'completed', olderThanMs: 3_600_000 },
        });
        expect(body.removed).to.equal(0);
        expect(await job(completed)).to.not.equal(null);
      });

      const badBodies: [string, unknown, string][] = [
        ['no olderThanMs', { state: 'completed' }, 'olderThanMs'],
        ['a negative olderThanMs', { state: 'completed', olderThanMs: -1 }, 'olderThanMs'],
        ['a state that is not finished', { state: 'waiting', olderThanMs: 0 }, 'state'],
        ['no state', { olderThanMs: 0 }, 'state'],
        ['an unknown key', { state: 'failed', olderThanMs: 0, names: ['x'] }, 'names'],
      ];
      for (const [what, payload, field] of badBodies) {
        it(`answers 400 naming '${field}' for ${what}`, async () => {
          const { status, body } = await call({
            method: 'POST',
            url: '/api/queues/email/clean',
            payload: payload as object,
          });
          expect(status).to.equal(400);
          expect(body.field).to.equal(field);
        });
      }
    });

    describe('GET /api/jobs/:id', () => {
      it('shows a failed job with its data, attempts and failure reason', async () => {
        const id = await finishedEmail('failed', { to: 'ada@example.com' });
        const { status, body } = await call({ url: `/api/jobs/${id}` });
        expect(status).to.equal(200);
        expect(body).to.include({ id, name: 'email', state: 'failed', attemptsMade: 1, maxAttempts: 1 });
        expect(body.data).to.deep.equal({ to: 'ada@example.com', fail: true });
        expect(body.failedReason).to.include('smtp refused the message');
        expect(body.progress).to.be.a('number');
        expect(new Date(body.createdAt as string).getTime()).to.be.closeTo(Date.now(), 60_000);
      });

      it('answers 404 for an unknown id', async () => {
        const { status, body } = await call({ url: '/api/jobs/no-such-job' });
        expect(status).to.equal(404);
        expect(body.error).to.include('no-such-job');
      });

      it("answers 404 for an unknown id of the longest allowed length, and 400 naming 'id' beyond it", async () => {
        expect((await call({ url: `/api/jobs/${'i'.repeat(256)}` })).status).to.equal(404);
        const { status, body } = await call({ url: `/api/jobs/${'i'.repeat(257)}` });
        expect(status).to.equal(400);
        expect(body.field).to.equal('id');
      });
    });

    describe('POST /api/jobs/:id/retry', () => {
      it('puts a failed job back in line; it leaves the failed list', async () => {
        const id = await finishedEmail('failed');
        failing = false;
        const { status, body } = await call({ method: 'POST', url: `/api/jobs/${id}/retry` });
        expect(status).to.equal(200);
        expect(body).to.deep.equal({ id, retried: true });
        await waitForState(id, 'completed');
        const failedPage = await call({ url: '/api/queues/email/jobs?state=failed' });
        expect(failedPage.body.jobs).to.deep.equal([]);
      });

      it('answers 409 for a job that has not failed', async () => {
        const id = await finishedEmail('completed');
        const { status, body } = await call({ method: 'POST', url: `/api/jobs/${id}/retry` });
        expect(status).to.equal(409);
        expect(body.error).to.include('completed');
      });

      it('answers 404 for an unknown id', async () => {
        expect((await call({ method: 'POST', url: '/api/jobs/no-such-job/retry' })).status).to.equal(404);
      });
    });

    describe('DELETE /api/jobs/:id', () => {
      it('cancels a scheduled job', async () => {
        const id = await provider.scheduleJob('email', {}, { delayMs: 3_600_000 });
        const { status, body } = await call({ method: 'DELETE', url: `/api/jobs/${id}` });
        expect(status).to.equal(200);
        expect(body).to.deep.equal({ id, cancelled: true });
        expect(await job(id)).to.equal(null);
        expect((await call({ url: `/api/jobs/${id}` })).status).to.equal(404);
      });

      it('answers 409 for a job that is running', async () => {
        const id = await provider.scheduleJob('slow', {});
        await waitForState(id, 'active');
        const { status, body } = await call({ method: 'DELETE', url: `/api/jobs/${id}` });
        expect(status).to.equal(409);
        expect(body.error).to.include('active');
        expect((await job(id))?.state).to.equal('active');
      });

      it('answers 404 for an unknown id', async () => {
        expect((await call({ method: 'DELETE', url: '/api/jobs/no-such-job' })).status).to.equal(404);
      });
    });

    describe('POST /api/jobs', () => {
      it('schedules a job validated like scheduleJob, and answers 201 with its id', async () => {
        const runAt = new Date(Date.now() + 3_600_000);
        const { status, body } = await call({
          method: 'POST',
          url: '/api/jobs',
          payload: {
            name: 'email',
            data: { to: 'ada@example.com' },
            options: { runAt: runAt.toISOString(), priority: 2, attempts: 4 },
          },
        });
        expect(status).to.equal(201);
        expect(body.created).to.equal(true);
        const stored = await job(body.id as string);
        expect(stored).to.deep.include({ name: 'email', state: 'scheduled', priority: 2, maxAttempts: 4 });
        expect(stored?.data).to.deep.equal({ to: 'ada@example.com' });
        expect(Math.abs(stored!.runAt!.getTime() - runAt.getTime())).to.be.below(1_000);
      });

      it('answers 200 with the same id when options.jobId already exists (idempotent producers)', async () => {
        const payload = { name: 'email', data: {}, options: { jobId: 'invoice-42', delayMs: 3_600_000 } };
        const first = await call({ method: 'POST', url: '/api/jobs', payload });
        const again = await call({ method: 'POST', url: '/api/jobs', payload });
        expect(first).to.deep.include({ status: 201, body: { id: 'invoice-42', created: true } });
        expect(again).to.deep.include({ status: 200, body: { id: 'invoice-42', created: false } });
      });

      const badBodies: [string, unknown, string][] = [
        ['no name', { data: {} }, 'name'],
        ['an empty name', { name: '' }, 'name'],
        ['an unknown top-level key', { name: 'email', delayMs: 5 }, 'delayMs'],
        ['options that are not an object', { name: 'email', options: 5 }, 'options'],
        ['an unknown option', { name: 'email', options: { delay: 5 } }, 'options.delay'],
        ['a priority out of range', { name: 'email', options: { priority: 11 } }, 'options.priority'],
        ['a negative delay', { name: 'email', options: { delayMs: -1 } }, 'options.delayMs'],
        ['a runAt that is not a date', { name: 'email', options: { runAt: 'tomorrow-ish' } }, 'options.runAt'],
        [
          'a runAt that is a number (which Date.parse would read as a year)',
          { name: 'email', options: { runAt: 5 } },
          'options.runAt',
        ],
        [
          'a runAt on a day the month does not have',
          { name: 'email', options: { runAt: '2030-02-30T09:00:00Z' } },
          'options.runAt',
        ],
        ['a runAt without an offset', { name: 'email', options: { runAt: '2030-01-31T09:00:00' } }, 'options.runAt'],
        [
          'a backoff longer than a year',
          { name: 'email', options: { backoff: { type: 'fixed', delayMs: 1e15 } } },
          'options.backoff.delayMs',
        ],
        [
          'a jitter over 1',
          { name: 'email', options: { backoff: { type: 'fixed', delayMs: 10, jitter: 2 } } },
          'options.backoff.jitter',
        ],
        ['an invalid cron', { name: 'email', options: { repeat: { cron: 'every day' } } }, 'options.repeat.cron'],
        ['data over the size limit', { name: 'email', data: { blob: 'x'.repeat(600 * 1024) } }, 'data'],
      ];
      for (const [what, payload, field] of badBodies) {
        it(`answers 400 naming '${field}' for ${what}, and stores nothing`, async () => {
          const before = await provider.listJobs({ limit: 1000 });
          const { status, body } = await call({ method: 'POST', url: '/api/jobs', payload: payload as object });
          expect(status).to.equal(400);
          expect(body.field).to.equal(field);
          expect(body.error).to.be.a('string').and.not.include('    at ');
          expect(await provider.listJobs({ limit: 1000 })).to.have.length(before.length);
        });
      }

      it('answers 400 for a body that is not JSON', async () => {
        const { status, body } = await call({
          method: 'POST',
          url: '/api/jobs',
          headers: { 'content-type': 'application/json' },
          payload: '{"name":',
        });
        expect(status).to.equal(400);
        expect(body.error).to.be.a('string');
      });

      it('answers 503 once the provider is closed', async () => {
        await provider.close({ timeoutMs: 1_000 });
        const { status, body } = await call({ method: 'POST', url: '/api/jobs', payload: { name: 'email', data: {} } });
        expect(status).to.equal(503);
        expect(body.error).to.be.a('string');
      });
    });

    describe('GET /metrics', () => {
      it('exposes jobs by name and state, processed and failed counters, the turnaround histogram and provider health', async () => {
        await call({ url: '/api/queues' }); // before any job: counters start from this server's creation
        await finishedEmail('completed');
        await finishedEmail('failed');
        await provider.scheduleJob('email', {}, { delayMs: 3_600_000 });

        const response = await app.inject({ url: '/metrics' });
        expect(response.statusCode).to.equal(200);
        expect(response.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
        const text = response.body;
        expect(text).to.include('switchyard_jobs{name="email",state="scheduled"} 1');
        expect(text).to.include('switchyard_jobs{name="email",state="completed"} 1');
        expect(text).to.include('switchyard_jobs{name="email",state="failed"} 1');
        expect(text).to.include('switchyard_jobs{name="email",state="waiting"} 0');
        expect(text).to.include('switchyard_queue_paused{name="email"} 0');
        expect(text).to.include('switchyard_jobs_processed_total{name="email"} 2');
        expect(text).to.include('switchyard_jobs_failed_total{name="email"} 1');
        expect(text).to.include('switchyard_job_turnaround_seconds_count{name="email",outcome="completed"} 1');
        expect(text).to.include('switchyard_job_turnaround_seconds_count{name="email",outcome="failed"} 1');
        expect(text).to.match(
          /switchyard_job_turnaround_seconds_bucket\{le="\+Inf",name="email",outcome="completed"\} 1/,
        );
        expect(text).to.include(`switchyard_provider_up{provider="${provider.name}"} 1`);
      });

      it('reports the provider down once it is closed', async () => {
        await provider.close({ timeoutMs: 1_000 });
        const text = (await app.inject({ url: '/metrics' })).body;
        expect(text).to.include(`switchyard_provider_up{provider="${provider.name}"} 0`);
      });
    });
  });
}
