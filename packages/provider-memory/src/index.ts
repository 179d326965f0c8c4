export { MemoryQueueProvider } from './memory-queue-provider.js';
