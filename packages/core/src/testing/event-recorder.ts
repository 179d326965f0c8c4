import type { JobInfo } from '../job.js';
import type { QueueProvider } from '../queue-provider.js';
import { waitFor } from './waiting.js';

export interface CompletedEvent {
  job: JobInfo;
  result: unknown;
  /** `Date.now()` when the event fired. */
  at: number;
}

export interface FailedEvent {
  job: JobInfo;
  error: Error;
  at: number;
}

export interface RetryingEvent {
  job: JobInfo;
  error: Error;
  delayMs: number;
  at: number;
}

/**
 * Keeps every `completed`, `failed` and `retrying` event of one provider from the
 * moment it is made, so a test can schedule first and ask about the events after,
 * with no race between scheduling and subscribing.
 */
export class EventRecorder {
  readonly completed: CompletedEvent[] = [];
  readonly failed: FailedEvent[] = [];
  readonly retrying: RetryingEvent[] = [];

  constructor(provider: QueueProvider) {
    provider.on('completed', (job, result) => this.completed.push({ job, result, at: Date.now() }));
    provider.on('failed', (job, error) => this.failed.push({ job, error, at: Date.now() }));
    provider.on('retrying', (job, error, delayMs) => this.retrying.push({ job, error, delayMs, at: Date.now() }));
  }

  completedOf(jobId: string): CompletedEvent[] {
    return this.completed.filter((event) => event.job.id === jobId);
  }

  failedOf(jobId: string): FailedEvent[] {
    return this.failed.filter((event) => event.job.id === jobId);
  }

  retryingOf(jobId: string): RetryingEvent[] {
    return this.retrying.filter((event) => event.job.id === jobId);
  }

  /** The first `completed` event of `jobId`, waiting for it up to `timeoutMs`. */
  async completion(jobId: string, timeoutMs: number): Promise<CompletedEvent> {
    await waitFor(() => this.completedOf(jobId).length > 0, {
      timeoutMs,
      message: `job ${jobId} to complete${this.describeFailure(jobId)}`,
    });
    return this.completedOf(jobId)[0]!;
  }

  /** The first `failed` event of `jobId`, waiting for it up to `timeoutMs`. */
  async failure(jobId: string, timeoutMs: number): Promise<FailedEvent> {
    await waitFor(() => this.failedOf(jobId).length > 0, { timeoutMs, message: `job ${jobId} to fail` });
    return this.failedOf(jobId)[0]!;
  }

  /** Says why a job that never completed might have stopped, for the timeout message. */
  private describeFailure(jobId: string): string {
    const failed = this.failedOf(jobId)[0];
    return failed === undefined ? '' : ` (it failed instead: ${failed.error?.message})`;
  }
}
