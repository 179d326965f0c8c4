import { ProviderUnavailableError, redactSecrets, type Logger, type QueueProvider } from '@switchyard/core';
import { ConfigError, loadConfig, loadProvider, PROVIDER_NAMES, type Environment } from '@switchyard/container';
import { CliError } from '../cli-error.js';

/**
 * A connected provider for one side of the migration. Settings come from the same
 * environment variables the container reads; `url` (from `--from-url` / `--to-url`)
 * overrides the connection URL of that side.
 */
export async function openProvider(
  side: 'from' | 'to',
  provider: string,
  url: string | undefined,
  env: Environment,
  logger: Logger,
): Promise<QueueProvider> {
  if (!(PROVIDER_NAMES as readonly string[]).includes(provider)) {
    throw new CliError(`--${side}: unknown provider '${provider}' (valid: ${PROVIDER_NAMES.join(', ')})`);
  }
  const urlVariable = urlVariableOf(provider, url);
  let config;
  try {
    config = loadConfig({
      ...env,
      QUEUE_PROVIDER: provider,
      ...(url === undefined || provider === 'memory' ? {} : { [urlVariable]: url }),
      // BullMQ's backend follows the URL's scheme when a URL is given.
      ...(provider === 'bullmq' && url !== undefined
        ? { BULLMQ_BACKEND: urlVariable === 'DATABASE_URL' ? 'postgres' : 'redis' }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) =>
      p.variable === urlVariable && url !== undefined ? `--${side}-url ${p.message}` : `${p.variable} ${p.message}`,
    );
    throw new CliError(problems.join('; '));
  }
  const queue = await loadProvider(config, { logger }).catch((error: unknown) => {
    throw new CliError(`--${side} ${provider}: ${(error as Error).message.replace(/\s+/g, ' ')}`);
  });
  try {
    await queue.connect();
  } catch (error) {
    await queue.close({ timeoutMs: 1000 }).catch(() => undefined);
    const reason =
      error instanceof ProviderUnavailableError ? error.message : redactSecrets(String((error as Error).message), url);
    throw new CliError(`--${side} ${provider}: cannot connect: ${reason}`);
  }
  return queue;
}

/** The variable a side's URL sets: Bull's Redis, Agenda's MongoDB, or BullMQ's Redis or PostgreSQL by the URL's scheme. */
function urlVariableOf(provider: string, url: string | undefined): string {
  if (provider === 'bull') return 'REDIS_URL';
  if (provider === 'bullmq') return url !== undefined && /^postgres(ql)?:/i.test(url) ? 'DATABASE_URL' : 'REDIS_URL';
  return 'MONGODB_URL';
}
