/**
 * `switchyard admin`: the admin server (HTTP API, dashboard, Prometheus metrics) on its
 * own, over the provider the environment configures, built the way the worker builds
 * it. It administers the queues; it processes no job.
 *
 * Start-up problems (bad settings, backend down, no token) are printed as one line and
 * exit 1, as the worker's do; a bad flag exits 2. SIGINT / SIGTERM close the server,
 * then the provider, and exit 0.
 */
import { Option, type Command } from 'commander';
import { createAdminServer } from '@switchyard/admin';
import type { QueueProvider } from '@switchyard/core';
import { CliError } from '../cli-error.js';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { connectConfiguredProvider } from '../configured-provider.js';
import { messageOf } from '../error-line.js';
import { portNumber } from '../option-values.js';

interface AdminCommandOptions {
  port?: number;
  host?: string;
  insecureLocal?: boolean;
}

export function addAdminCommand(parent: Command, report: ReportOutcome): void {
  const command = parent
    .command('admin')
    .summary('serve the admin HTTP API, dashboard and Prometheus metrics')
    .description(
      'Serve the admin HTTP API, the dashboard page and Prometheus /metrics over the provider the environment configures ' +
        '(QUEUE_PROVIDER, REDIS_URL, MONGODB_URL, ...). Every /api route wants Authorization: Bearer $ADMIN_TOKEN.',
    )
    .addOption(
      new Option('--port <n>', 'port to listen on, 0 for any free one (default: ADMIN_PORT, else 3000)').argParser(
        portNumber,
      ),
    )
    .addOption(
      new Option(
        '--host <address>',
        'address to listen on; 0.0.0.0 exposes it, with a token, behind TLS (default: ADMIN_HOST, else 127.0.0.1)',
      ),
    )
    .option('--insecure-local', 'run without ADMIN_TOKEN, for your own machine: loopback addresses and peers only')
    .addHelpText(
      'after',
      `
Environment:
  ADMIN_TOKEN   bearer token for /api, at least 16 characters; required
                unless --insecure-local (never a flag: any user can read
                the command line of a process)
  ADMIN_PORT    default for --port
  ADMIN_HOST    default for --host

Examples:
  ADMIN_TOKEN=$(openssl rand -hex 32) switchyard admin --port 8080
  switchyard admin --insecure-local --env-file .env.staging`,
    );

  defineAction(command, report, async ({ env, secretUrls }) => {
    const options = command.opts<AdminCommandOptions>();
    const host = options.host ?? (env.ADMIN_HOST || '127.0.0.1');
    const port = options.port ?? (await startUp(async () => portFromEnvironment(env.ADMIN_PORT)));
    const token = env.ADMIN_TOKEN || undefined;
    const { config, logger, provider } = await startUp(() => connectConfiguredProvider(env, secretUrls));
    if (config.provider === 'memory') {
      logger.warn(
        'QUEUE_PROVIDER=memory: this process has its own, empty, in-memory queue; to administer the jobs of a ' +
          'process on the memory provider, mount adminPlugin in that process instead',
      );
    }
    const server = await startUp(async () => {
      const app = createAdminServer({ provider, token, insecureLocal: options.insecureLocal === true, logger });
      const address = await app.listen({ host, port });
      logger.info('admin server listening', {
        address,
        dashboard: `${address}/`,
        auth: token === undefined ? 'none (--insecure-local, loopback only)' : 'bearer token',
      });
      return app;
    }, provider);

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info('admin server stopping', { signal });
        server
          .close()
          .then(() => provider.close({ timeoutMs: config.shutdownTimeoutMs }))
          .then(
            () => process.exit(0),
            (error: unknown) => {
              process.stderr.write(`switchyard admin: failed to stop cleanly: ${(error as Error).message}\n`);
              process.exit(1);
            },
          );
      });
    }
    return 'running';
  });
}

/** A start-up step: its failure is exit code 1, as for the worker, after closing `provider` if one is open. */
async function startUp<T>(step: () => Promise<T>, provider?: QueueProvider): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await provider?.close({ timeoutMs: 1_000 }).catch(() => undefined);
    throw new CliError(`failed to start: ${messageOf(error)}`, 1);
  }
}

function portFromEnvironment(text: string | undefined): number {
  if (text === undefined || text === '') return 3000;
  try {
    return portNumber(text);
  } catch {
    throw new Error(`ADMIN_PORT '${text}' is not a port number (0 to 65535)`);
  }
}
