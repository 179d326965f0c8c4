/**
 * The admin server over real HTTP (a loopback port, raw request paths, no client-side
 * normalisation): every refused token gets the same 401; no path, encoded or not, reads
 * a file outside the dashboard's own; oversized bodies get 413 and store nothing.
 */
import { expect } from 'chai';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { JOB_STATES, type QueueProvider } from '@switchyard/core';
import { createAdminServer } from '@switchyard/admin';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

const TOKEN = 'hardening-token-0123456789abcdef';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path sent exactly as written. */
function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined && options.chunked !== true)
      headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    // The server may answer (413) and close before reading everything: that is fine.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

async function totalJobs(provider: QueueProvider): Promise<number> {
  const stats = await provider.getStats();
  return JOB_STATES.reduce((sum, state) => sum + stats[state], 0);
}

/** Lines that would show that a file outside the dashboard was served. */
const FOREIGN_FILE_MARKERS = [
  '"workspaces"', // the repository's package.json
  '"@switchyard/admin"', // the admin package's package.json
  'root:x:0:0', // /etc/passwd
  'compilerOptions', // a tsconfig
  'export function createAdminServer', // the admin's own source
];
describe('admin hardening over real HTTP', function () {
  this.timeout(30_000);
  let provider: QueueProvider;
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    provider = new MemoryQueueProvider();
    await provider.connect();
    app = createAdminServer({ provider, token: TOKEN, rateLimit: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    await app.close();
    await provider.close({ timeoutMs: 1_000 });
  });

  describe('authentication', () => {
    const refusedTokens: [string, Record<string, string>][] = [
      ['no token', {}],
      [
        'a wrong token of the same length',
        { authorization: `Bearer ${TOKEN.slice(0, -1)}${TOKEN.endsWith('x') ? 'y' : 'x'}` },
      ],
      ['a wrong token of another length', { authorization: `Bearer ${TOKEN}-and-more` }],
      ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, 8)}` }],
      ['the token in another scheme', { authorization: `Basic ${TOKEN}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ];
    const routes: [string, string, string | undefined][] = [
      ['GET', '/api/queues', undefined],
      ['GET', '/api/jobs/some-id', undefined],
      ['POST', '/api/jobs', '{"name":"email"}'],
      ['DELETE', '/api/jobs/some-id', undefined],
      ['POST', '/api/queues/email/pause', undefined],
    ];

    for (const [method, path, body] of routes) {
      it(`${method} ${path}: every refused token gets the same 401 and the same body, and nothing changes`, async () => {
        const before = await totalJobs(provider);
        const answers = [];
        for (const [, headers] of refusedTokens) {
          answers.push(
            await send(port, method, path, {
              headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
              ...(body === undefined ? {} : { body }),
            }),
          );
        }
        for (const [index, answer] of answers.entries()) {
          expect(answer.status, refusedTokens[index]![0]).to.equal(401);
          expect(JSON.parse(answer.body), refusedTokens[index]![0]).to.deep.equal({
            error: 'Missing or invalid bearer token',
          });
          expect(answer.headers['www-authenticate']).to.equal('Bearer realm="switchyard-admin"');
        }
        expect(new Set(answers.map((answer) => answer.body)).size).to.equal(1);
        expect(await totalJobs(provider)).to.equal(before);
        expect((await provider.getStats('email')).paused).to.equal(false);
      });
    }
  });

  describe('path traversal', () => {
    const traversals = [
      '/../package.json',
      '/../../package.json',
      '/..%2fpackage.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/%252e%252e%252fpackage.json',
      '/dashboard.js/../../package.json',
      '/dashboard.js/..%2f..%2fpackage.json',
      '/public/../package.json',
      '/index.html',
      '/package.json',
      '/src/create-admin-server.ts',
      '/../../../../../../etc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..\\..\\..\\..\\etc\\passwd',
      '/dashboard.js%00../../package.json',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/metrics/../package.json',
    ];
    for (const path of traversals) {
      it(`GET ${path} is refused and shows no file from outside the dashboard`, async () => {
        const answer = await send(port, 'GET', path);
        expect(answer.status, answer.body.slice(0, 200)).to.be.oneOf([400, 404]);
        for (const marker of FOREIGN_FILE_MARKERS) expect(answer.body).to.not.include(marker);
      });
    }

    const apiTraversals = [
      '/api/jobs/..%2f..%2fpackage.json',
      '/api/jobs/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/jobs/%2e%2e',
      '/api/jobs/..',
      '/api/jobs/../../package.json',
      '/api/queues/..%2f..%2fetc%2fpasswd/jobs',
      '/api/queues/%2e%2e%2f%2e%2e%2fpackage.json/jobs',
      '/api/queues/a%2fb/jobs',
      '/api/../package.json',
      '/api/%2e%2e/package.json',
    ];
    for (const path of apiTraversals) {
      it(`GET ${path} with a valid token is 400/404 (an unknown id or name, or no route), never a file`, async () => {
        const answer = await send(port, 'GET', path, { headers: { authorization: `Bearer ${TOKEN}` } });
        // An encoded slash inside :name is just a strange queue name: an empty list is the honest answer.
        const isEmptyQueueListing =
          answer.status === 200 &&
          /^\/api\/queues\/[^/]+\/jobs$/.test(path) &&
          Array.isArray((JSON.parse(answer.body) as { jobs?: unknown }).jobs);
        if (!isEmptyQueueListing) expect(answer.status, answer.body.slice(0, 200)).to.be.oneOf([400, 404]);
        for (const marker of FOREIGN_FILE_MARKERS) expect(answer.body).to.not.include(marker);
      });
    }

    it('serves only its own assets, byte for byte the files in the package', async () => {
      for (const [path, file] of [
        ['/dashboard.js', 'dashboard.js'],
        ['/dashboard.css', 'dashboard.css'],
        ['/', 'index.html'],
      ] as const) {
        const answer = await send(port, 'GET', path);
        expect(answer.status, path).to.equal(200);
        expect(answer.body, path).to.equal(
          readFileSync(new URL(`../../packages/admin/public/${file}`, import.meta.url), 'utf8'),
        );
      }
    });
  });

  describe('oversized bodies', () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const huge = (bytes: number) => `{"name":"email","data":"${'x'.repeat(bytes)}"}`;

    it('POST /api/jobs with a body over 1 MiB: 413, nothing stored', async () => {
      const before = await totalJobs(provider);
      const answer = await send(port, 'POST', '/api/jobs', { headers: auth, body: huge(2 * 1024 * 1024) });
      expect(answer.status, answer.body).to.equal(413);
      expect(JSON.parse(answer.body)).to.have.property('error').that.is.a('string');
      expect(await totalJobs(provider)).to.equal(before);
    });

    it('the same body sent chunked, with no length announced: 413, nothing stored', async () => {
      const before = await totalJobs(provider);
      const answer = await send(port, 'POST', '/api/jobs', {
        headers: { ...auth, 'transfer-encoding': 'chunked' },
        body: huge(2 * 1024 * 1024),
        chunked: true,
      });
      expect(answer.status, answer.body).to.equal(413);
      expect(await totalJobs(provider)).to.equal(before);
    });

    it('a body under the HTTP limit but over the 512 KiB payload limit: 400 naming data, nothing stored', async () => {
      const before = await totalJobs(provider);
      const answer = await send(port, 'POST', '/api/jobs', { headers: auth, body: huge(600 * 1024) });
      expect(answer.status, answer.body).to.equal(400);
      expect(JSON.parse(answer.body)).to.include({ field: 'data' });
      expect(await totalJobs(provider)).to.equal(before);
    });

    it('POST /api/queues/:name/clean with an oversized body: 413', async () => {
      const answer = await send(port, 'POST', '/api/queues/email/clean', {
        headers: auth,
        body: `{"state":"completed","olderThanMs":0,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`,
      });
      expect(answer.status, answer.body).to.equal(413);
    });

    it('an oversized body without a token: 401, and the body is never parsed', async () => {
      const before = await totalJobs(provider);
      const answer = await send(port, 'POST', '/api/jobs', {
        headers: { 'content-type': 'application/json' },
        body: huge(2 * 1024 * 1024),
      });
      expect(answer.status).to.equal(401);
      expect(await totalJobs(provider)).to.equal(before);
    });

    it('still schedules a normal job afterwards (the refusals left the server healthy)', async () => {
      const answer = await send(port, 'POST', '/api/jobs', {
        headers: auth,
        body: '{"name":"email","data":{"to":"a@example.com"},"options":{"delayMs":86400000}}',
      });
      expect(answer.status, answer.body).to.equal(201);
      const { id } = JSON.parse(answer.body) as { id: string };
      expect((await provider.getJob(id))?.data).to.deep.equal({ to: 'a@example.com' });
    });
  });
});
