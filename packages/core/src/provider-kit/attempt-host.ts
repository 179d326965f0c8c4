import type { JobInfo } from '../job.js';
import type { Logger } from '../logger.js';
import type { Registration, StartedAttempt } from './base-queue-provider.js';

/**
 * What the part of a provider that runs jobs (its worker) needs of the kit: the
 * registrations, the attempt bookkeeping and the reporting of `BaseQueueProvider`,
 * bound to one provider (`BaseQueueProvider.attemptHost`), so that a worker class can
 * use them without being the provider.
 */
export interface AttemptHost {
  readonly providerName: string;
  readonly logger: Logger;
  isClosing(): boolean;
  started(): boolean;
  registrations(): ReadonlyMap<string, Registration>;
  registrationOf(name: string): Registration | undefined;
  beginAttempt(
    key: unknown,
    job: { id: string; name: string; timeoutMs?: number | undefined },
    attempt: number,
    saveProgress: (percent: number) => Promise<void>,
  ): StartedAttempt;
  endAttempt(key: unknown): void;
  reportCompleted(job: JobInfo, result: unknown): void;
  reportRetrying(job: JobInfo, error: Error, delayMs: number): void;
  reportFailed(job: JobInfo, error: Error): void;
  reportStalled(jobId: string, name: string): void;
  reportError(error: Error): void;
  /** A backend's error as a caller would get it (see `BaseQueueProvider.translateError`). */
  translateError(error: unknown): Error;
}
