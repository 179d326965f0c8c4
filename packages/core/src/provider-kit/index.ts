/**
 * `@switchyard/core/provider-kit`: what a provider is built from. Extend
 * `BaseQueueProvider` and write its storage hooks; the kit owns the lifecycle, the
 * argument checks, the close sequence, the retry decision, event and error reporting
 * and the import pipeline, so that every provider answers every call the same way.
 */
export {
  BaseQueueProvider,
  ABORT_GRACE_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_IMPORT_BATCH_SIZE,
  HEALTH_CHECK_TIMEOUT_MS,
  type Registration,
  type StartedAttempt,
} from './base-queue-provider.js';
export type { AttemptHost } from './attempt-host.js';
export type { ProviderStatus } from './provider-status.js';
export { RunningAttempts } from './running-attempts.js';
export { decideAfterFailedAttempt, type FailedAttempt, type FailedAttemptDecision } from './failed-attempt-decision.js';
export { ErrorReporter, ERROR_REPEAT_WINDOW_MS, type ErrorReportTarget } from './error-reporter.js';
export { importInBatches, type ImportBatchWriter, type ImportPipelineOptions } from './import-pipeline.js';
export { withDeadline } from './deadline.js';
export { newJobId, mayBeGeneratedJobId } from './generated-job-id.js';
export {
  RetentionTrims,
  RETENTION_TRIM_DELAY_MS,
  IDLE_RETENTION_TRIM_DELAY_MS,
  type TrimFinished,
} from './retention-trims.js';
export * from './argument-checks.js';
