export { BullMQQueueProvider, type BullMQQueueProviderOptions } from './bullmq-queue-provider.js';
export { DEFAULT_PREFIX, DEFAULT_SCHEMA, type BullMQConnectionOptions } from './open-backend.js';
