import { MemoryQueueProvider } from '@switchyard/provider-memory';
import { describeAdminHttpApi } from './admin-http-suite.js';

describeAdminHttpApi({ name: 'memory', make: async () => new MemoryQueueProvider() });
