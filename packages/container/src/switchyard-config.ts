import type { BackoffOptions, RetentionOption } from '@switchyard/core';
import type { ReminderOffset } from '@switchyard/domain';

export const PROVIDER_NAMES = ['memory', 'bull', 'bullmq', 'agenda'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Where `QUEUE_PROVIDER=bullmq` keeps its jobs (`BULLMQ_BACKEND`). */
export const BULLMQ_BACKENDS = ['redis', 'postgres'] as const;
export type BullMQBackendName = (typeof BULLMQ_BACKENDS)[number];

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the composition root reads from the environment, validated and typed. */
export interface SwitchyardConfig {
  environment: 'development' | 'test' | 'production';
  provider: ProviderName;
  /** Built from REDIS_URL, or from REDIS_HOST / REDIS_PORT / REDIS_PASSWORD / REDIS_DB. */
  redisUrl: string;
  mongoUrl: string;
  /** Agenda's collection. */
  collection: string;
  /** How often Agenda looks for due jobs. */
  agendaProcessEveryMs: number;
  /** The Redis key prefix of Bull, and of BullMQ on Redis. */
  prefix: string;
  /** BullMQ's storage: 'redis' (REDIS_URL, QUEUE_PREFIX) or 'postgres' (DATABASE_URL, BULLMQ_SCHEMA). */
  bullmqBackend: BullMQBackendName;
  /** PostgreSQL for BullMQ; required when `bullmqBackend` is 'postgres'. */
  databaseUrl: string | undefined;
  /** The PostgreSQL schema of BullMQ's tables. */
  bullmqSchema: string;
  concurrency: number;
  attempts: number;
  backoff: BackoffOptions;
  /** Default `removeOnComplete` of every job (`JOB_KEEP_COMPLETED`); `false` keeps all. */
  keepCompleted: RetentionOption;
  /** Default `removeOnFail` of every job (`JOB_KEEP_FAILED`). */
  keepFailed: RetentionOption;
  shutdownTimeoutMs: number;
  log: { level: LogLevel; format: 'json' | 'pretty' };
  bookingReminderOffsets: ReminderOffset[];
  paymentReminderOffsets: ReminderOffset[];
}
