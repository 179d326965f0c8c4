import type { CommonProviderOptions, QueueProvider } from '@switchyard/core';
import { ConfigError } from './config-error.js';
import { PROVIDER_NAMES, type ProviderName, type SwitchyardConfig } from './switchyard-config.js';

/** The package behind each `QUEUE_PROVIDER` value. */
export const PROVIDER_PACKAGES: Record<ProviderName, string> = {
  memory: '@switchyard/provider-memory',
  bull: '@switchyard/provider-bull',
  bullmq: '@switchyard/provider-bullmq',
  agenda: '@switchyard/provider-agenda',
};

/**
 * Builds the configured provider, importing only its package: a service on Bull needs
 * neither Agenda nor the mongodb driver installed, and one on BullMQ with Redis no `pg`. A missing package is a start-up
 * error that says what to install.
 */
export async function loadProvider(
  config: SwitchyardConfig,
  common: CommonProviderOptions,
  packages: Record<ProviderName, string> = PROVIDER_PACKAGES,
): Promise<QueueProvider> {
  const specifier = packages[config.provider];
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(specifier)
    ) {
      throw new ConfigError([
        {
          variable: 'QUEUE_PROVIDER',
          message:
            `'${config.provider}' needs the package ${specifier}, which is not installed: ` +
            `npm install ${specifier} (valid values: ${PROVIDER_NAMES.join(' | ')})`,
        },
      ]);
    }
    throw error;
  }
  switch (config.provider) {
    case 'memory':
      return construct(module, 'MemoryQueueProvider', specifier, common);
    case 'bull':
      return construct(module, 'BullQueueProvider', specifier, {
        ...common,
        redisUrl: config.redisUrl,
        prefix: config.prefix,
      });
    case 'bullmq':
      // Only the chosen backend's settings: BullMQ loads `pg` only for a PostgreSQL connection.
      return construct(
        module,
        'BullMQQueueProvider',
        specifier,
        config.bullmqBackend === 'postgres'
          ? { ...common, backend: 'postgres', databaseUrl: config.databaseUrl, schema: config.bullmqSchema }
          : { ...common, backend: 'redis', redisUrl: config.redisUrl, prefix: config.prefix },
      );
    case 'agenda':
      return construct(module, 'AgendaQueueProvider', specifier, {
        ...common,
        mongoUrl: config.mongoUrl,
        collection: config.collection,
        processEveryMs: config.agendaProcessEveryMs,
      });
  }
}

type ProviderConstructor = new (options: object) => QueueProvider;

/**
 * Typed structurally rather than with `typeof import(...)`, so this package builds
 * without the provider packages, which are optional peers.
 */
function construct(
  module: Record<string, unknown>,
  exportName: string,
  specifier: string,
  options: object,
): QueueProvider {
  const Provider = module[exportName];
  if (typeof Provider !== 'function') throw new Error(`${specifier} does not export ${exportName}`);
  return new (Provider as ProviderConstructor)(options);
}
