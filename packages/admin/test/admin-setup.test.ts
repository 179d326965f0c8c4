/**
 * How the admin server is set up and mounted, independent of the backend: token rules,
 * --insecure-local, rate limiting, mounting under a prefix, the dashboard's files and
 * how job names are found. On the memory provider.
 */
import { expect } from 'chai';
import Fastify from 'fastify';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { AdminSetupError, adminPlugin, createAdminServer, isLoopback } from '@switchyard/admin';
import { TEST_TOKEN } from './admin-http-suite.js';

const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

describe('admin server set-up', () => {
  let provider: MemoryQueueProvider;

  beforeEach(async () => {
    provider = new MemoryQueueProvider();
    await provider.connect();
  });

  afterEach(async () => {
    await provider.close({ timeoutMs: 1_000 });
  });

  describe('tokens', () => {
    it('refuses to be created without a token unless insecureLocal is set', () => {
      expect(() => createAdminServer({ provider })).to.throw(AdminSetupError, /ADMIN_TOKEN/);
      expect(() => createAdminServer({ provider, insecureLocal: false })).to.throw(AdminSetupError, /--insecure-local/);
    });

    it('refuses tokens shorter than 16 characters or containing spaces', () => {
      expect(() => createAdminServer({ provider, token: 'short' })).to.throw(AdminSetupError, /16 characters/);
      expect(() => createAdminServer({ provider, token: 'has a space in the middle' })).to.throw(AdminSetupError);
      expect(() => createAdminServer({ provider, token: '' })).to.throw(AdminSetupError);
    });

    it('refuses to be mounted as a plugin without a token either', async () => {
      const app = Fastify();
      await app
        .register(adminPlugin, { provider, prefix: '/admin' })
        .ready()
        .then(
          () => expect.fail('registered without a token'),
          (error: unknown) => expect(error).to.be.instanceOf(AdminSetupError),
        );
      await app.close();
    });

    it('accepts the token in any case of the Bearer scheme, and with surrounding spaces', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN });
      for (const authorization of [`bearer ${TEST_TOKEN}`, `BEARER  ${TEST_TOKEN} `]) {
        expect((await app.inject({ url: '/api/queues', headers: { authorization } })).statusCode).to.equal(200);
      }
      await app.close();
    });
  });

  describe('--insecure-local', () => {
    it('lets loopback peers use /api without a token and refuses every other peer', async () => {
      const app = createAdminServer({ provider, insecureLocal: true });
      expect((await app.inject({ url: '/api/queues', remoteAddress: '127.0.0.1' })).statusCode).to.equal(200);
      expect((await app.inject({ url: '/api/queues', remoteAddress: '::1' })).statusCode).to.equal(200);
      const remote = await app.inject({ url: '/api/queues', remoteAddress: '10.1.2.3' });
      expect(remote.statusCode).to.equal(401);
      expect(remote.json()).to.deep.equal({ error: 'Missing or invalid bearer token' });
      await app.close();
    });

    it('refuses to listen on a public address', async () => {
      const app = createAdminServer({ provider, insecureLocal: true });
      for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
        const error = await app.listen({ host, port: 0 }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, host).to.be.instanceOf(AdminSetupError);
        expect((error as Error).message).to.include(host);
      }
      await app.close();
    });

    it('listens on a loopback address and answers over real HTTP', async () => {
      const app = createAdminServer({ provider, insecureLocal: true });
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const response = await fetch(`${address}/api/queues`);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal({ provider: 'memory', queues: [] });
      } finally {
        await app.close();
      }
    });

    it('is ignored when a token is given: the token is then required', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN, insecureLocal: true });
      expect((await app.inject({ url: '/api/queues' })).statusCode).to.equal(401);
      await app.close();
    });
  });

  describe('rate limit', () => {
    it('answers 429 with a JSON error once a client goes over the limit, counting refused tokens too', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN, rateLimit: { max: 3, timeWindowMs: 60_000 } });
      expect((await app.inject({ url: '/api/queues' })).statusCode).to.equal(401);
      expect((await app.inject({ url: '/api/queues', headers: AUTH })).statusCode).to.equal(200);
      expect((await app.inject({ url: '/api/queues', headers: AUTH })).statusCode).to.equal(200);
      const limited = await app.inject({ url: '/api/queues', headers: AUTH });
      expect(limited.statusCode).to.equal(429);
      expect(limited.json())
        .to.have.property('error')
        .that.matches(/rate limit/i);
      expect(limited.headers['retry-after']).to.be.a('string');
      // Probes and scrapers are not limited.
      for (let i = 0; i < 5; i += 1) expect((await app.inject({ url: '/health' })).statusCode).to.equal(200);
      await app.close();
    });

    it('has a generous default and can be turned off', async () => {
      const limited = createAdminServer({ provider, token: TEST_TOKEN });
      const unlimited = createAdminServer({ provider, token: TEST_TOKEN, rateLimit: false });
      const first = await limited.inject({ url: '/api/queues', headers: AUTH });
      expect(first.headers['x-ratelimit-limit']).to.equal('600');
      const free = await unlimited.inject({ url: '/api/queues', headers: AUTH });
      expect(free.headers['x-ratelimit-limit']).to.equal(undefined);
      await limited.close();
      await unlimited.close();
    });
  });

  describe('mounted in a host app', () => {
    it('serves the API, health, metrics and dashboard under the prefix, leaving the host alone', async () => {
      const host = Fastify({ routerOptions: { maxParamLength: 1024 } });
      host.get('/', async () => ({ host: true }));
      await host.register(adminPlugin, { prefix: '/admin', provider, token: TEST_TOKEN });

      expect((await host.inject({ url: '/' })).json()).to.deep.equal({ host: true });
      expect((await host.inject({ url: '/admin/api/queues', headers: AUTH })).statusCode).to.equal(200);
      expect((await host.inject({ url: '/admin/api/queues' })).statusCode).to.equal(401);
      expect((await host.inject({ url: '/admin/health' })).statusCode).to.equal(200);
      expect((await host.inject({ url: '/admin/metrics' })).body).to.include('switchyard_provider_up');
      const bare = await host.inject({ url: '/admin' });
      expect(bare.statusCode).to.equal(301);
      expect(bare.headers.location).to.equal('/admin/');
      const page = await host.inject({ url: '/admin/' });
      expect(page.statusCode).to.equal(200);
      expect(page.body).to.include('<script type="module" src="dashboard.js">');
      await host.close();
    });

    it('stops listening to the provider when closed, and leaves the provider open', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN });
      await app.ready();
      expect(provider.listenerCount('completed')).to.equal(1);
      await app.close();
      expect(provider.listenerCount('completed')).to.equal(0);
      expect((await provider.checkHealth()).healthy).to.equal(true);
    });
  });

  describe('dashboard files', () => {
    const files: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/dashboard.js', /^text\/javascript/],
      ['/dashboard.css', /^text\/css/],
    ];
    for (const [url, type] of files) {
      it(`serves ${url} without a token, self-contained, under a strict content security policy`, async () => {
        const app = createAdminServer({ provider, token: TEST_TOKEN });
        const response = await app.inject({ url });
        expect(response.statusCode).to.equal(200);
        expect(response.headers['content-type']).to.match(type);
        expect(response.headers['content-security-policy'])
          .to.include("default-src 'none'")
          .and.include("script-src 'self'");
        expect(response.headers['x-content-type-options']).to.equal('nosniff');
        // Works offline: nothing is fetched from another origin.
        expect(response.body).to.not.match(/(src|href)=["']?(https?:)?\/\//);
        expect(response.body).to.not.match(/url\(\s*["']?(https?:)?\/\//);
        await app.close();
      });
    }
  });

  describe('job names', () => {
    it('shows names given up front even with no jobs', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN, jobNames: ['invoices'] });
      const body = (await app.inject({ url: '/api/queues', headers: AUTH })).json<{ queues: { name: string }[] }>();
      expect(body.queues.map((queue) => queue.name)).to.deep.equal(['invoices']);
      await app.close();
    });

    it('finds names by scanning jobs, rescans only after the refresh interval, and learns names it sees meanwhile', async () => {
      await provider.scheduleJob('early', {}, { delayMs: 3_600_000 });
      const app = createAdminServer({ provider, token: TEST_TOKEN, nameDiscovery: { refreshIntervalMs: 3_600_000 } });
      const names = async () =>
        (await app.inject({ url: '/api/queues', headers: AUTH }))
          .json<{ queues: { name: string }[] }>()
          .queues.map((q) => q.name);

      expect(await names()).to.deep.equal(['early']);
      const late = await provider.scheduleJob('late', {}, { delayMs: 3_600_000 });
      expect(await names()).to.deep.equal(['early'], 'no rescan within the interval');
      await app.inject({ url: `/api/jobs/${late}`, headers: AUTH });
      expect(await names()).to.deep.equal(['early', 'late'], 'seen through a lookup');
      await app.inject({
        method: 'POST',
        url: '/api/jobs',
        headers: AUTH,
        payload: { name: 'posted', options: { delayMs: 60_000 } },
      });
      expect(await names()).to.deep.equal(['early', 'late', 'posted'], 'seen through scheduling');
      await app.close();
    });

    it('remembers at most maxNames names: past it, a request bringing a new name gets 409 and stores nothing', async () => {
      const app = createAdminServer({ provider, token: TEST_TOKEN, jobNames: ['a'], nameDiscovery: { maxNames: 2 } });
      const post = (name: string) =>
        app.inject({
          method: 'POST',
          url: '/api/jobs',
          headers: AUTH,
          payload: { name, options: { delayMs: 60_000 } },
        });
      expect((await post('b')).statusCode).to.equal(201);
      const refused = await post('c');
      expect(refused.statusCode).to.equal(409);
      expect(refused.json()).to.deep.include({
        error: "The admin server knows 2 job names, its limit (nameDiscovery.maxNames): 'c' would be a new one",
      });
      for (const action of ['pause', 'resume']) {
        expect(
          (await app.inject({ method: 'POST', url: `/api/queues/c/${action}`, headers: AUTH })).statusCode,
        ).to.equal(409);
      }
      // Known names still work, and nothing was stored for the refused one.
      expect((await post('a')).statusCode).to.equal(201);
      expect((await app.inject({ method: 'POST', url: '/api/queues/b/pause', headers: AUTH })).statusCode).to.equal(
        200,
      );
      expect(await provider.listJobs({ names: ['c'] })).to.deep.equal([]);
      expect((await provider.getStats('c')).paused).to.equal(false);
      // A name met only in the provider's jobs is not remembered past the limit either.
      await provider.scheduleJob('d', {}, { delayMs: 60_000 });
      const body = (await app.inject({ url: '/api/queues', headers: AUTH })).json<{ queues: { name: string }[] }>();
      expect(body.queues.map((queue) => queue.name)).to.deep.equal(['a', 'b']);
      await app.close();
    });
  });

  describe('isLoopback', () => {
    it('knows loopback hosts and addresses from the rest', () => {
      for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
        expect(isLoopback(host), host).to.equal(true);
      }
      for (const host of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '', '128.0.0.1']) {
        expect(isLoopback(host), host).to.equal(false);
      }
    });
  });
});
