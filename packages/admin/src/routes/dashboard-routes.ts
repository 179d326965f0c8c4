import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard: three files from the package's `public/` folder, found relative to
 * this module so they are served the same from `src/` (tsx) and from `dist/`. A fixed
 * list, read once at start-up: no path from a request ever reaches the file system.
 * Nothing is loaded from elsewhere (no CDN), so it works offline; the CSP says so too.
 */
const PUBLIC_DIR = new URL('../../public/', import.meta.url);
const ASSETS = [
  { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
] as const;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const page = await readFile(new URL('index.html', PUBLIC_DIR), 'utf8');
  app.get('/', async (request, reply) => {
    // The page loads its script and calls the API by relative URLs, so under a prefix
    // it must be addressed as a folder: /admin -> /admin/.
    const path = request.url.split('?')[0] ?? '';
    if (!path.endsWith('/')) return reply.redirect(`${path}/`, 301);
    return reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(page);
  });
  for (const asset of ASSETS) {
    const body = await readFile(new URL(asset.file, PUBLIC_DIR), 'utf8');
    app.get(`/${asset.file}`, async (_request, reply) => reply.headers(SECURITY_HEADERS).type(asset.type).send(body));
  }
}
