import {
  DEFAULT_REDIS_PORT,
  endpointOf,
  ProviderUnavailableError,
  redactSecrets,
  type Logger,
  type QueueProvider,
} from '@switchyard/core';
import {
  ConfigError,
  loadConfig,
  loadProvider,
  PROVIDER_NAMES,
  type Environment,
  type SwitchyardConfig,
} from '@switchyard/container';
import { CliError } from '../cli-error.js';

/** What the flags of one side say: `--<side>-url`, `--<side>-prefix`, `--<side>-schema`. */
export interface SideFlags {
  url?: string | undefined;
  prefix?: string | undefined;
  schema?: string | undefined;
}

/** One side's settings, checked, and the URL its flags gave (for masking its password). */
export interface ResolvedSide {
  side: 'from' | 'to';
  config: SwitchyardConfig;
  url: string | undefined;
}

/**
 * One side's settings. They come from the same environment variables the container
 * reads; the flags override, for that side only, the connection URL, the Redis key
 * prefix (`QUEUE_PREFIX`: Bull, and BullMQ on Redis; also the URL's `?prefix=`) and
 * BullMQ's PostgreSQL schema (`BULLMQ_SCHEMA`; also the URL's `?schema=`): the settings
 * in which a migration's source and target differ.
 */
export function resolveSide(side: 'from' | 'to', provider: string, flags: SideFlags, env: Environment): ResolvedSide {
  if (!(PROVIDER_NAMES as readonly string[]).includes(provider)) {
    throw new CliError(`--${side}: unknown provider '${provider}' (valid: ${PROVIDER_NAMES.join(', ')})`);
  }
  const given = settingsOutOfUrl(side, provider, flags);
  const { url } = given;
  const urlVariable = urlVariableOf(provider, url);
  const config = sideConfig(side, given, urlVariable, {
    ...env,
    QUEUE_PROVIDER: provider,
    ...(url === undefined || provider === 'memory' ? {} : { [urlVariable]: url }),
    ...(given.prefix === undefined ? {} : { QUEUE_PREFIX: given.prefix }),
    ...(given.schema === undefined ? {} : { BULLMQ_SCHEMA: given.schema }),
    // BullMQ's backend follows the URL's scheme when a URL is given.
    ...(provider === 'bullmq' && url !== undefined
      ? { BULLMQ_BACKEND: urlVariable === 'DATABASE_URL' ? 'postgres' : 'redis' }
      : {}),
  });
  refuseFlagsOfOtherStorage(side, config, given);
  return { side, config, url };
}

/** The connected provider of a resolved side. */
export async function openSide({ side, config, url }: ResolvedSide, logger: Logger): Promise<QueueProvider> {
  const { provider } = config;
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
 * Bull and BullMQ on one Redis database under one prefix write the same keys
 * (`<prefix>:<name>:<id>`, `<prefix>:<name>:delayed`, ...): a move between them would
 * import onto the source's own keys, then delete them as the source's. Refused before
 * anything is read.
 */
export function refuseSharedRedisKeys(from: ResolvedSide, to: ResolvedSide): void {
  const [a, b] = [redisKeysOf(from.config), redisKeysOf(to.config)];
  if (a === undefined || b === undefined || a.where !== b.where || a.prefix !== b.prefix) return;
  throw new CliError(
    `--from ${from.config.provider} and --to ${to.config.provider} would use the same Redis keys ` +
      `(${a.where}, prefix '${a.prefix}'): give one side a prefix of its own (--to-prefix) or another database`,
  );
}

/** Where a side's Redis keys are (server and database, no password) and their prefix; undefined off Redis. */
function redisKeysOf(config: SwitchyardConfig): { where: string; prefix: string } | undefined {
  const onRedis = config.provider === 'bull' || (config.provider === 'bullmq' && config.bullmqBackend === 'redis');
  if (!onRedis) return undefined;
  const { host, port } = endpointOf(config.redisUrl, DEFAULT_REDIS_PORT);
  const database = new URL(config.redisUrl).pathname.slice(1) || '0';
  return { where: `${host}:${port} database ${database}`, prefix: config.prefix };
}

/** `loadConfig` for one side; a problem with a value a flag gave is named by that flag. */
function sideConfig(
  side: 'from' | 'to',
  given: SideFlags,
  urlVariable: string,
  sideEnv: Environment,
): SwitchyardConfig {
  const flagOf: Record<string, keyof SideFlags> = {
    [urlVariable]: 'url',
    QUEUE_PREFIX: 'prefix',
    BULLMQ_SCHEMA: 'schema',
  };
  try {
    return loadConfig(sideEnv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) => {
      const flag = flagOf[p.variable];
      return flag !== undefined && given[flag] !== undefined
        ? `--${side}-${flag} ${p.message}`
        : `${p.variable} ${p.message}`;
    });
    throw new CliError(problems.join('; '));
  }
}

/**
 * A prefix for a provider without Redis keys, or a schema for one without PostgreSQL,
 * would be silently ignored and the migration would read or write somewhere else than
 * meant: refused instead. BullMQ's backend is known only here, from the URL or from
 * `BULLMQ_BACKEND`.
 */
function refuseFlagsOfOtherStorage(side: 'from' | 'to', config: SwitchyardConfig, given: SideFlags): void {
  const onRedis = config.provider === 'bull' || (config.provider === 'bullmq' && config.bullmqBackend === 'redis');
  const onPostgres = config.provider === 'bullmq' && config.bullmqBackend === 'postgres';
  if (given.prefix !== undefined && !onRedis) {
    throw new CliError(
      `--${side}-prefix applies to bull and to bullmq on Redis only` +
        (onPostgres ? ` (BullMQ on PostgreSQL keeps its jobs in a schema: --${side}-schema)` : ''),
    );
  }
  if (given.schema !== undefined && !onPostgres) {
    throw new CliError(
      `--${side}-schema applies to bullmq on PostgreSQL only (a postgres:// --${side}-url, or BULLMQ_BACKEND=postgres)`,
    );
  }
}

/**
 * The URL's own settings taken out of it (Redis and PostgreSQL do not read them): a
 * Redis URL's `prefix` for Bull or BullMQ, a PostgreSQL URL's `schema` for BullMQ. Each
 * must agree with its flag when both are given.
 */
function settingsOutOfUrl(side: 'from' | 'to', provider: string, flags: SideFlags): SideFlags {
  const { url } = flags;
  let parsed: URL | undefined;
  try {
    parsed = url === undefined ? undefined : new URL(url);
  } catch {
    parsed = undefined; // loadConfig reports the URL as it is
  }
  const setting =
    provider === 'bull' || (provider === 'bullmq' && urlVariableOf(provider, url) === 'REDIS_URL')
      ? 'prefix'
      : provider === 'bullmq'
        ? 'schema'
        : undefined;
  const fromQuery = setting === undefined ? undefined : (parsed?.searchParams.get(setting) ?? undefined);
  if (setting === undefined || fromQuery === undefined || parsed === undefined) return flags;
  const flag = flags[setting];
  if (flag !== undefined && flag !== fromQuery) {
    throw new CliError(`--${side}-${setting} '${flag}' and the ${setting} in --${side}-url ('${fromQuery}') differ`);
  }
  parsed.searchParams.delete(setting);
  return { ...flags, url: parsed.toString(), [setting]: fromQuery };
}

/** The variable a side's URL sets: Bull's Redis, Agenda's MongoDB, or BullMQ's Redis or PostgreSQL by the URL's scheme. */
function urlVariableOf(provider: string, url: string | undefined): string {
  if (provider === 'bull') return 'REDIS_URL';
  if (provider === 'bullmq') return url !== undefined && /^postgres(ql)?:/i.test(url) ? 'DATABASE_URL' : 'REDIS_URL';
  return 'MONGODB_URL';
}
