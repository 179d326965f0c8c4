import { ProviderUnavailableError, redactSecrets, type Logger, type QueueProvider } from '@switchyard/core';
import { ConfigError, loadConfig, loadProvider, PROVIDER_NAMES, type Environment } from '@switchyard/container';
import { CliError } from '../cli-error.js';

/**
 * A connected provider for one side of the migration. Settings come from the same
 * environment variables the container reads; `url` (from `--from-url` / `--to-url`)
 * overrides the connection URL of that side, and for Bull `prefix` (`--from-prefix` /
 * `--to-prefix`, or the URL's `?prefix=`) its QUEUE_PREFIX.
 */
export async function openProvider(
  side: 'from' | 'to',
  provider: string,
  givenUrl: string | undefined,
  env: Environment,
  logger: Logger,
  givenPrefix?: string,
): Promise<QueueProvider> {
  if (!(PROVIDER_NAMES as readonly string[]).includes(provider)) {
    throw new CliError(`--${side}: unknown provider '${provider}' (valid: ${PROVIDER_NAMES.join(', ')})`);
  }
  const { url, prefix } = bullPrefixOf(side, provider, givenUrl, givenPrefix);
  const urlVariable = urlVariableOf(provider, url);
  let config;
  try {
    config = loadConfig({
      ...env,
      QUEUE_PROVIDER: provider,
      ...(url === undefined || provider === 'memory' ? {} : { [urlVariable]: url }),
      ...(prefix === undefined ? {} : { QUEUE_PREFIX: prefix }),
      // BullMQ's backend follows the URL's scheme when a URL is given.
      ...(provider === 'bullmq' && url !== undefined
        ? { BULLMQ_BACKEND: urlVariable === 'DATABASE_URL' ? 'postgres' : 'redis' }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) =>
      p.variable === urlVariable && url !== undefined
        ? `--${side}-url ${p.message}`
        : p.variable === 'QUEUE_PREFIX' && prefix !== undefined
          ? `--${side}-prefix ${p.message}`
          : `${p.variable} ${p.message}`,
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

/**
 * A Bull side's key prefix, from `--<side>-prefix` or the URL's `prefix` query parameter
 * (taken out of the URL, which Redis does not read), and the URL left.
 */
function bullPrefixOf(
  side: 'from' | 'to',
  provider: string,
  url: string | undefined,
  flag: string | undefined,
): { url: string | undefined; prefix: string | undefined } {
  let parsed: URL | undefined;
  try {
    parsed = url === undefined ? undefined : new URL(url);
  } catch {
    parsed = undefined; // loadConfig reports the URL as it is
  }
  const fromQuery = parsed?.searchParams.get('prefix') ?? undefined;
  if (provider !== 'bull') {
    if (flag !== undefined) throw new CliError(`--${side}-prefix applies to the bull provider only`);
    return { url, prefix: undefined };
  }
  if (fromQuery === undefined || parsed === undefined) return { url, prefix: flag };
  if (flag !== undefined && flag !== fromQuery) {
    throw new CliError(`--${side}-prefix '${flag}' and the prefix in --${side}-url ('${fromQuery}') differ`);
  }
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), prefix: fromQuery };
}

/** The variable a side's URL sets: Bull's Redis, Agenda's MongoDB, or BullMQ's Redis or PostgreSQL by the URL's scheme. */
function urlVariableOf(provider: string, url: string | undefined): string {
  if (provider === 'bull') return 'REDIS_URL';
  if (provider === 'bullmq') return url !== undefined && /^postgres(ql)?:/i.test(url) ? 'DATABASE_URL' : 'REDIS_URL';
  return 'MONGODB_URL';
}
