import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl, type BackoffOptions, type RetentionOption } from '@switchyard/core';
import { DEFAULT_BOOKING_REMINDER_OFFSETS, DEFAULT_PAYMENT_REMINDER_OFFSETS } from '@switchyard/domain';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { parseBookingOffsets, parsePaymentOffsets } from './reminder-offsets-setting.js';
import { parseRetentionSetting, RETENTION_SETTING_FORMS } from './retention-setting.js';
import {
  BULLMQ_BACKENDS,
  LOG_LEVELS,
  PROVIDER_NAMES,
  type LogLevel,
  type ProviderName,
  type SwitchyardConfig,
} from './switchyard-config.js';

export type Environment = Record<string, string | undefined>;

const ENVIRONMENTS = ['development', 'test', 'production'] as const;

/**
 * Reads and validates every setting in one place. Precedence: the process environment,
 * then `config/<NODE_ENV>.json` (from `SWITCHYARD_CONFIG_DIR`, default `./config`), then
 * built-in defaults. Throws one `ConfigError` listing every wrong variable.
 *
 * @example
 * ```ts
 * const config = loadConfig({ QUEUE_PROVIDER: 'memory', LOG_LEVEL: 'debug' });
 * ```
 */
export function loadConfig(processEnv: Environment = process.env): SwitchyardConfig {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message });

  const environment = oneOf(processEnv, 'NODE_ENV', ENVIRONMENTS, 'development', problem);
  const env: Environment = { ...environmentDefaults(processEnv, environment, problem), ...definedOnly(processEnv) };

  const provider = oneOf<ProviderName>(env, 'QUEUE_PROVIDER', PROVIDER_NAMES, 'bull', problem);
  const redisUrl = redisUrlFrom(env, problem);
  const mongoUrl = urlSetting(
    env,
    'MONGODB_URL',
    ['mongodb:', 'mongodb+srv:'],
    'mongodb://127.0.0.1:27017/switchyard',
    problem,
  );
  const collection = nameSetting(env, 'QUEUE_COLLECTION', 'agenda_jobs', problem);
  const agendaProcessEveryMs = integer(env, 'AGENDA_PROCESS_EVERY_MS', 5000, { min: 10, max: 3_600_000 }, problem);
  const prefix = nameSetting(env, 'QUEUE_PREFIX', 'switchyard', problem);
  const bullmq = bullmqSettings(env, provider, problem);
  const concurrency = integer(env, 'JOB_CONCURRENCY', 5, { min: 1, max: 1000 }, problem);
  const attempts = integer(env, 'JOB_ATTEMPT_LIMIT', 3, { min: 1, max: 100 }, problem);
  const backoff: BackoffOptions = {
    type: oneOf(env, 'JOB_BACKOFF_TYPE', ['fixed', 'exponential'] as const, 'exponential', problem),
    delayMs: integer(env, 'JOB_BACKOFF_DELAY_MS', 1000, { min: 0 }, problem),
    maxDelayMs: integer(env, 'JOB_BACKOFF_MAX_DELAY_MS', 300_000, { min: 0 }, problem),
    jitter: fraction(env, 'JOB_BACKOFF_JITTER', 0.2, problem),
  };
  if (backoff.maxDelayMs! < backoff.delayMs)
    problem('JOB_BACKOFF_MAX_DELAY_MS', 'must be at least JOB_BACKOFF_DELAY_MS');
  const keepCompleted = retention(env, 'JOB_KEEP_COMPLETED', problem);
  const keepFailed = retention(env, 'JOB_KEEP_FAILED', problem);
  const shutdownTimeoutMs = integer(env, 'SHUTDOWN_TIMEOUT_MS', 30_000, { min: 0 }, problem);
  const level = oneOf<LogLevel>(env, 'LOG_LEVEL', LOG_LEVELS, 'info', problem);
  const defaultFormat = environment === 'production' || !process.stdout.isTTY ? 'json' : 'pretty';
  const format = oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, defaultFormat, problem);
  const bookingReminderOffsets = offsets(
    env,
    'BOOKING_REMINDER_OFFSETS',
    parseBookingOffsets,
    DEFAULT_BOOKING_REMINDER_OFFSETS,
    'a comma-separated list of durations before the booking, such as 24h,1h,15m',
    problem,
  );
  const paymentReminderOffsets = offsets(
    env,
    'PAYMENT_REMINDER_OFFSETS',
    parsePaymentOffsets,
    DEFAULT_PAYMENT_REMINDER_OFFSETS,
    'a comma-separated list relative to the due date, such as -3d,0,+1d,+7d',
    problem,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    environment,
    provider,
    redisUrl,
    mongoUrl,
    collection,
    agendaProcessEveryMs,
    prefix,
    ...bullmq,
    concurrency,
    attempts,
    backoff,
    keepCompleted,
    keepFailed,
    shutdownTimeoutMs,
    log: { level, format },
    bookingReminderOffsets,
    paymentReminderOffsets,
  };
}

type Report = (variable: string, message: string) => void;

function definedOnly(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

/** `config/<environment>.json`: a flat object of the same variable names, all strings. */
function environmentDefaults(processEnv: Environment, environment: string, problem: Report): Environment {
  const directory = processEnv.SWITCHYARD_CONFIG_DIR ?? join(process.cwd(), 'config');
  const file = join(directory, `${environment}.json`);
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
  } catch (error) {
    problem(
      'SWITCHYARD_CONFIG_DIR',
      `${environment}.json there is not a JSON object of settings (${(error as Error).message})`,
    );
    return {};
  }
}

/** A retention setting (see `parseRetentionSetting`); unset is `all`. */
function retention(env: Environment, variable: string, problem: Report): RetentionOption {
  const value = env[variable];
  if (value === undefined || value === '') return false;
  const parsed = parseRetentionSetting(value);
  if (parsed === null) problem(variable, `'${value}' is not ${RETENTION_SETTING_FORMS}`);
  return parsed ?? false;
}

function oneOf<T extends string>(
  env: Environment,
  variable: string,
  allowed: readonly T[],
  fallback: T,
  problem: Report,
): T {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problem(variable, `'${value}' is not one of ${allowed.join(' | ')}`);
  return fallback;
}

function integer(
  env: Environment,
  variable: string,
  fallback: number,
  bounds: { min: number; max?: number },
  problem: Report,
): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  const range = bounds.max === undefined ? `at least ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`;
  if (!/^\d+$/.test(value.trim()) || number < bounds.min || (bounds.max !== undefined && number > bounds.max)) {
    problem(variable, `'${value}' is not a whole number ${range}`);
    return fallback;
  }
  return number;
}

function fraction(env: Environment, variable: string, fallback: number, problem: Report): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    problem(variable, `'${value}' is not a number from 0 to 1`);
    return fallback;
  }
  return number;
}

function nameSetting(env: Environment, variable: string, fallback: string, problem: Report): string {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(value)) {
    problem(variable, `'${value}' may use only letters, digits, '_', '.' and '-' (1 to 100 characters)`);
    return fallback;
  }
  return value;
}

function urlSetting(
  env: Environment,
  variable: string,
  protocols: string[],
  fallback: string,
  problem: Report,
): string {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  try {
    const url = new URL(value);
    if (!protocols.includes(url.protocol)) throw new Error('wrong scheme');
    return value;
  } catch {
    // Never echo the value: a malformed URL may still hold a password.
    problem(variable, `is not a ${protocols.map((p) => `${p}//`).join(' or ')} URL (${redactUrl(value)})`);
    return fallback;
  }
}

/**
 * BullMQ's backend and where it lives, each value checked with the others: PostgreSQL
 * needs DATABASE_URL. Settings of a provider or backend not chosen are checked but not
 * refused: one environment may serve two providers (`switchyard migrate --from bull
 * --to bullmq` reads both sides' settings from it).
 */
function bullmqSettings(
  env: Environment,
  provider: ProviderName,
  problem: Report,
): Pick<SwitchyardConfig, 'bullmqBackend' | 'databaseUrl' | 'bullmqSchema'> {
  const bullmqBackend = oneOf(env, 'BULLMQ_BACKEND', BULLMQ_BACKENDS, 'redis', problem);
  const databaseUrl =
    env.DATABASE_URL === undefined || env.DATABASE_URL === ''
      ? undefined
      : urlSetting(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], '', problem);
  const bullmqSchema = env.BULLMQ_SCHEMA ?? 'switchyard';
  // BullMQ's own rule for a schema name (postgres/migrator.js `quoteSchemaName`).
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(bullmqSchema)) {
    problem(
      'BULLMQ_SCHEMA',
      `'${bullmqSchema}' is not a PostgreSQL schema name (a letter or '_', then letters, digits, '_' or '$'; at most 63)`,
    );
  }
  if (provider === 'bullmq' && bullmqBackend === 'postgres' && databaseUrl === undefined) {
    problem(
      'DATABASE_URL',
      'is required with QUEUE_PROVIDER=bullmq and BULLMQ_BACKEND=postgres (postgres://user:password@host:5432/database)',
    );
  }
  return { bullmqBackend, databaseUrl, bullmqSchema };
}

function redisUrlFrom(env: Environment, problem: Report): string {
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '') {
    return urlSetting(env, 'REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379', problem);
  }
  const host = env.REDIS_HOST ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) problem('REDIS_HOST', `'${host}' is not a host name or address`);
  const port = integer(env, 'REDIS_PORT', 6379, { min: 1, max: 65535 }, problem);
  const db = integer(env, 'REDIS_DB', 0, { min: 0, max: 15 }, problem);
  const url = new URL('redis://placeholder');
  url.hostname = host.includes(':') ? `[${host}]` : host;
  url.port = String(port);
  url.pathname = `/${db}`;
  if (env.REDIS_PASSWORD !== undefined && env.REDIS_PASSWORD !== '') url.password = env.REDIS_PASSWORD;
  return url.toString();
}

function offsets<T>(
  env: Environment,
  variable: string,
  parse: (text: string) => T[] | null,
  fallback: readonly T[],
  accepts: string,
  problem: Report,
): T[] {
  const value = env[variable];
  if (value === undefined || value === '') return [...fallback];
  const parsed = parse(value);
  if (parsed === null) {
    problem(variable, `'${value}' is not ${accepts}`);
    return [...fallback];
  }
  return parsed;
}
