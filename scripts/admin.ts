/**
 * `npm run admin [-- --insecure-local]`: the admin server (HTTP API, dashboard,
 * Prometheus metrics) on its own, over the provider the environment configures, the
 * same way the worker builds it (QUEUE_PROVIDER, REDIS_URL, MONGODB_URL, QUEUE_PREFIX,
 * LOG_LEVEL, ...). It administers the queues; it processes no job.
 *
 *   ADMIN_TOKEN   bearer token for /api (at least 16 characters); required unless --insecure-local
 *   ADMIN_PORT    default 3000
 *   ADMIN_HOST    default 127.0.0.1; with --insecure-local, only a loopback address is accepted
 *
 * Start-up problems (bad settings, backend down, no token) are printed and exit 1.
 * SIGINT / SIGTERM close the server, then the provider, and exit 0.
 */
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, loadProvider } from '@switchyard/container';
import { createAdminServer } from '@switchyard/admin';

function fail(message: string): never {
  process.stderr.write(`switchyard admin failed to start: ${message}\n`);
  process.exit(1);
}

let insecureLocal: boolean;
try {
  const { values } = parseArgs({ options: { 'insecure-local': { type: 'boolean', default: false } }, strict: true });
  insecureLocal = values['insecure-local'] === true;
} catch (error) {
  fail(`${(error as Error).message} (the only option is --insecure-local)`);
}

const host = process.env.ADMIN_HOST || '127.0.0.1';
const portText = process.env.ADMIN_PORT || '3000';
if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) fail(`ADMIN_PORT '${portText}' is not a port number (0 to 65535)`);
const port = Number(portText);
const token = process.env.ADMIN_TOKEN || undefined;

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  fail((error as Error).message);
}
const logger = createLogger({ log: config.log, provider: config.provider, secretUrls: [config.redisUrl, config.mongoUrl] });
if (config.provider === 'memory') {
  logger.warn('QUEUE_PROVIDER=memory: this process has its own, empty, in-memory queue; to administer the jobs of a ' +
    'process on the memory provider, mount adminPlugin in that process instead');
}

let provider;
try {
  provider = await loadProvider(config, { defaultAttempts: config.attempts, defaultBackoff: config.backoff, logger });
  // Without a listener, an 'error' event (a dropped connection) would end the process.
  provider.on('error', (error) => logger.error('provider error', { error: error.message }));
  await provider.connect();
} catch (error) {
  fail((error as Error).message);
}

let server;
try {
  server = createAdminServer({ provider, token, insecureLocal, logger });
  const address = await server.listen({ host, port });
  logger.info('admin server listening', {
    address, dashboard: `${address}/`, auth: token === undefined ? 'none (--insecure-local, loopback only)' : 'bearer token',
  });
} catch (error) {
  await provider.close({ timeoutMs: 1_000 }).catch(() => undefined);
  fail((error as Error).message);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('admin server stopping', { signal });
    server
      .close()
      .then(() => provider.close({ timeoutMs: config.shutdownTimeoutMs }))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`switchyard admin failed to stop cleanly: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  });
}
