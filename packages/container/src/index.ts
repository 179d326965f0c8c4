export { createContainer, type CreateContainerOptions } from './create-container.js';
export { loadConfig, type Environment } from './load-config.js';
export { parseDuration } from './duration.js';
export { ConfigError, type ConfigProblem } from './config-error.js';
export { createLogger, type LoggerSettings } from './create-logger.js';
export { loadProvider, PROVIDER_PACKAGES } from './load-provider.js';
export { startWorker, runWorkerProcess, type RunningWorker, type StartWorkerOptions } from './worker.js';
export * from './switchyard-config.js';
export { CONTAINER_TYPES } from './container-tokens.js';
