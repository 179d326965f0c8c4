import { TYPES, type Logger, type QueueProvider } from '@switchyard/core';
import { createContainer, type Environment, type SwitchyardConfig } from '@switchyard/container';
import { CONTAINER_TYPES } from '@switchyard/container';

export interface ConfiguredProvider {
  config: SwitchyardConfig;
  logger: Logger;
  /** Connected; its caller closes it. */
  provider: QueueProvider;
}

/**
 * The provider `env` configures, built by `createContainer()` exactly as the worker
 * builds it (QUEUE_PROVIDER, REDIS_URL, MONGODB_URL, QUEUE_PREFIX, ...), and connected.
 * The configured connection URLs join `secretUrls`, so that an error printed later
 * masks their passwords too (REDIS_PASSWORD ends up inside the Redis URL).
 */
export async function connectConfiguredProvider(
  env: Environment,
  secretUrls: string[],
  logDestination?: NodeJS.WritableStream,
): Promise<ConfiguredProvider> {
  const container = await createContainer(env, logDestination === undefined ? {} : { logDestination });
  const config = container.get<SwitchyardConfig>(CONTAINER_TYPES.Config);
  secretUrls.push(config.redisUrl, config.mongoUrl);
  const logger = container.get<Logger>(TYPES.Logger);
  const provider = container.get<QueueProvider>(TYPES.QueueProvider);
  // Logged rather than left to EventEmitter: a dropped connection is worth a line, not a crash.
  provider.on('error', (error: Error) => logger.error('provider error', { error: error.message }));
  try {
    await provider.connect();
  } catch (error) {
    await provider.close({ timeoutMs: 1_000 }).catch(() => undefined);
    throw error;
  }
  return { config, logger, provider };
}
