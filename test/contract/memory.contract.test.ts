import { runProviderContract } from '@switchyard/core/testing';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

// Every provider's instance has its own in-process storage, so no isolation to arrange.
runProviderContract('memory', { makeProvider: (common) => new MemoryQueueProvider(common) });
