import { JobTimeoutError } from './errors.js';

/**
 * How one attempt of a job ends early: its `timeoutMs` passes, or the provider shuts
 * down and aborts it. The processor sees the abort on its context's `signal`, and
 * `run` settles with the abort's reason at once, even for a processor that ignores it.
 *
 * The AbortController is made only when the signal is read: most processors never read
 * it, and a controller per attempt (with the listener a race on it needs) was about a
 * tenth of the Bull provider's own CPU per job.
 */
export class AttemptControl {
  private controller: AbortController | undefined;
  private abortReason: Error | undefined;
  private rejectRun: ((reason: Error) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Starts the attempt's clock: with `timeoutMs`, it aborts with a `JobTimeoutError` when that passes. */
  constructor(jobId: string, timeoutMs: number | undefined) {
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.abort(new JobTimeoutError(jobId, timeoutMs)), timeoutMs);
    }
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** Why the attempt was aborted, if it was. */
  get reason(): Error | undefined {
    return this.abortReason;
  }

  abort(reason: Error): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    const rejectRun = this.rejectRun;
    this.end();
    this.controller?.abort(reason);
    rejectRun?.(reason);
  }

  /**
   * Runs the processor's work: settles with its outcome, or rejects with the abort's
   * reason as soon as the attempt is aborted. A synchronous throw is a rejection too.
   */
  run<R>(work: () => Promise<R> | R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.abortReason !== undefined) {
        reject(this.abortReason);
        return;
      }
      this.rejectRun = reject;
      const settle = (outcome: () => void) => {
        this.end();
        outcome();
      };
      try {
        Promise.resolve(work()).then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => settle(() => reject(error)),
        );
      } catch (error) {
        settle(() => reject(error));
      }
    });
  }

  /** The attempt is over: its timeout no longer fires, and a later abort only reaches the signal. */
  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.rejectRun = undefined;
  }
}
