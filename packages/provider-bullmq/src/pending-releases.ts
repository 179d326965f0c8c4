/**
 * Frees, many to a call, the directory ids of jobs that BullMQ deleted as they finished
 * (`removeOnComplete` / `removeOnFail: true`): the ids callers chose (generated ones are
 * never claimed). When every id was claimed on PostgreSQL, a DELETE of its own for each
 * finished job cost the provider about a tenth of its rate there (0.87 × raw BullMQ with
 * `removeOnComplete: true`, 0.98 × keeping every job). The ids of the finishes of
 * `RELEASE_DELAY_MS` go in one call.
 *
 * An id waits that long, taken, after its job is gone. A `scheduleJob` of the same id in
 * between takes it back first (`cancel`, called by the writer before it claims), so the
 * late release cannot free the claim of the new job.
 */
import type { JobDirectory } from './job-directory.js';

export const RELEASE_DELAY_MS = 20;

export class PendingReleases {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly directory: () => JobDirectory,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** The job of `id` is gone: free the id with the others of the next `RELEASE_DELAY_MS`. */
  add(id: string): void {
    this.pending.add(id);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, RELEASE_DELAY_MS);
  }

  /** `id` is being scheduled again: it is not to be freed. */
  cancel(id: string): void {
    this.pending.delete(id);
  }

  /** Frees what is pending now, and waits for every release sent. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.send();
    await this.sending;
  }

  private send(): void {
    if (this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending = new Set();
    const sent = this.directory().release(ids).catch(this.reportError);
    this.sending = Promise.all([this.sending, sent]).then(() => undefined);
  }
}
