/**
 * A gate that a processor waits on until the test opens it: the way to hold a job
 * in `active` for exactly as long as a test needs, with no timer involved.
 *
 * @example
 * ```ts
 * const gate = new Latch();
 * const processor = recordingProcessor('slow', (_job, ctx) => gate.wait(ctx.signal));
 * // ... assert while the job is active ...
 * gate.open();
 * ```
 */
export class Latch {
  private release!: () => void;
  private readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  /** Lets every waiter through, now and later. An arrow so it can be passed around unbound. */
  readonly open = (): void => {
    this.release();
  };

  /**
   * Resolves when the latch opens. With a `signal`, rejects with the signal's reason
   * as soon as it is aborted, as a well-behaved processor does on timeout and shutdown.
   */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal === undefined) return this.opened;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      void this.opened.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
