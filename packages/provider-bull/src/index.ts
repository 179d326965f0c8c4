export { BullQueueProvider, type BullQueueProviderOptions } from './bull-queue-provider.js';
export { BULL_STATES_OF, jobCountsFromBull, toJobState, type BullState } from './bull-job-state.js';
export { toBullJobOptions, snapshotToBullJobOptions, type NewJobIdOrigin } from './to-bull-job-options.js';
export { coalesceWrites, WRITES_PER_FLUSH } from './coalesce-writes.js';
export { SWITCHYARD_BACKOFF, SWITCHYARD_BACKOFF_STRATEGIES } from './bull-backoff.js';
export { type BullJobNameProcessor } from './bull-job-name-processor.js';
