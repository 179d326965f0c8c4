/**
 * `@switchyard/core/testing`: the provider contract suite, and the small waiting and
 * recording tools it is built from, for providers' own tests too.
 */
export { runProviderContract } from './run-provider-contract.js';
export {
  CONTRACT_PROVIDER_OPTIONS,
  DEFAULT_SCHEDULING_TOLERANCE_MS,
  EARLY_START_SLACK_MS,
  GAP_SLACK_MS,
  type ProviderContractOptions,
} from './contract-options.js';
export { ContractFixture } from './contract-fixture.js';
export { waitFor, once, nextTurn, settlesWithin, type WaitForOptions } from './waiting.js';
export { Latch } from './latch.js';
export { EventRecorder, type CompletedEvent, type FailedEvent, type RetryingEvent } from './event-recorder.js';
export {
  recordingProcessor,
  type RecordingProcessor,
  type AttemptRecord,
  type JobHandler,
} from './recording-processor.js';
export { rejectionOf } from './rejection.js';
export { existingJob } from './existing-job.js';
export {
  BULL_KEY_NAME_IDS,
  KEY_SHAPED_IDS,
  LOOK_ALIKE_ID_PAIRS,
  LONGEST_JOB_ID,
  LONGEST_JOB_NAME,
  ODD_BUT_VALID_NAMES,
  REFUSED_IDS,
  REFUSED_NAMES,
} from './hostile-identifiers.js';
