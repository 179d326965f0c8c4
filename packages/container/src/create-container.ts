import 'reflect-metadata';
import { Container } from 'inversify';
import { TYPES, type JobProcessor, type Logger, type QueueProvider } from '@switchyard/core';
import {
  BookingReminderProcessor,
  BookingReminderScheduler,
  LoggingNotificationSender,
  PaymentReminderProcessor,
  PaymentReminderScheduler,
  alwaysRemindGuard,
  systemClock,
  type NotificationSender,
  type ReminderGuard,
} from '@switchyard/domain';
import { createLogger } from './create-logger.js';
import { loadConfig, type Environment } from './load-config.js';
import { loadProvider, PROVIDER_PACKAGES } from './load-provider.js';
import type { ProviderName, SwitchyardConfig } from './switchyard-config.js';
import { DOMAIN_TYPES } from '@switchyard/domain';
import { CONTAINER_TYPES } from './container-tokens.js';

export interface CreateContainerOptions {
  /** Where log lines go; stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /** Which package to import per provider; for tests of the "not installed" error. */
  providerPackages?: Record<ProviderName, string>;
}

/**
 * The composition root: validated config from the environment, the winston logger,
 * the `QueueProvider` chosen by `QUEUE_PROVIDER`, and the reminder services.
 *
 * Bindings a service usually replaces (with `container.rebind(...)`):
 * `DOMAIN_TYPES.NotificationSender` (logs by default), `DOMAIN_TYPES.ReminderGuard` (always reminds).
 * More processors are added with `container.bind(TYPES.JobProcessor).to(MyProcessor)`;
 * the worker registers every one bound.
 *
 * @example
 * ```ts
 * const container = await createContainer({ ...process.env, QUEUE_PROVIDER: 'memory' });
 * const bookings = container.get<BookingReminderScheduler>(DOMAIN_TYPES.BookingReminderScheduler);
 * ```
 */
export async function createContainer(
  env: Environment = process.env,
  options: CreateContainerOptions = {},
): Promise<Container> {
  const config = loadConfig(env);
  const logger = createLogger(
    {
      log: config.log,
      provider: config.provider,
      secretUrls: [config.redisUrl, config.mongoUrl, ...(config.databaseUrl === undefined ? [] : [config.databaseUrl])],
    },
    options.logDestination,
  );
  const provider = await loadProvider(
    config,
    {
      defaultAttempts: config.attempts,
      defaultBackoff: config.backoff,
      defaultRemoveOnComplete: config.keepCompleted,
      defaultRemoveOnFail: config.keepFailed,
      logger,
    },
    options.providerPackages ?? PROVIDER_PACKAGES,
  );

  const container = new Container();
  container.bind<SwitchyardConfig>(CONTAINER_TYPES.Config).toConstantValue(config);
  container.bind<Logger>(TYPES.Logger).toConstantValue(logger);
  container.bind<QueueProvider>(TYPES.QueueProvider).toConstantValue(provider);
  container.bind(DOMAIN_TYPES.Clock).toConstantValue(systemClock);
  container.bind(DOMAIN_TYPES.BookingReminderOffsets).toConstantValue(config.bookingReminderOffsets);
  container.bind(DOMAIN_TYPES.PaymentReminderOffsets).toConstantValue(config.paymentReminderOffsets);
  container.bind<NotificationSender>(DOMAIN_TYPES.NotificationSender).to(LoggingNotificationSender).inSingletonScope();
  container.bind<ReminderGuard>(DOMAIN_TYPES.ReminderGuard).toConstantValue(alwaysRemindGuard);
  container.bind(DOMAIN_TYPES.BookingReminderScheduler).to(BookingReminderScheduler).inSingletonScope();
  container.bind(DOMAIN_TYPES.PaymentReminderScheduler).to(PaymentReminderScheduler).inSingletonScope();
  container.bind<JobProcessor>(TYPES.JobProcessor).to(BookingReminderProcessor).inSingletonScope();
  container.bind<JobProcessor>(TYPES.JobProcessor).to(PaymentReminderProcessor).inSingletonScope();
  logger.debug('container built', { queueProvider: config.provider });
  return container;
}
