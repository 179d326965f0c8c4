import type { RetentionPolicy } from '../retention.js';

/** How long a trim waits for more finishes to share its backend calls. */
export const RETENTION_TRIM_DELAY_MS = 50;

/** Trims the finished jobs of `name` in `state` by `policy` (what a provider writes: its deletes). */
export type TrimFinished = (
  name: string,
  state: 'completed' | 'failed',
  policy: RetentionPolicy,
  now: number,
) => Promise<void>;

/**
 * Batches a provider's retention trims (count and age policies, see `RetentionOption`):
 * a job that finishes asks for a trim of its name and state, and the trims asked for
 * within `RETENTION_TRIM_DELAY_MS` run once, with the policy of the last job that
 * finished, so a worker finishing thousands of jobs a second makes a few dozen trims,
 * not one per job. Removal therefore happens within about that long after the finish
 * that calls for it. `flush()` runs what is pending (a provider calls it as it closes).
 *
 * @example
 * ```ts
 * const trims = new RetentionTrims((name, state, policy, now) => deleteOldFinished(name, state, policy, now), report);
 * trims.request('email', 'completed', { ageMs: null, count: 1000 });
 * await trims.flush();
 * ```
 */
export class RetentionTrims {
  private readonly pending = new Map<
    string,
    { name: string; state: 'completed' | 'failed'; policy: RetentionPolicy }
  >();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly trim: TrimFinished,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** A job of `name` finished in `state` with a count or age policy. */
  request(name: string, state: 'completed' | 'failed', policy: RetentionPolicy): void {
    this.pending.set(`${state}:${name}`, { name, state, policy });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.runPending();
    }, RETENTION_TRIM_DELAY_MS);
  }

  /** Runs the pending trims now, and waits for any under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.runPending();
    await this.running;
  }

  private runPending(): void {
    this.running = this.running
      .then(async () => {
        const trims = [...this.pending.values()];
        this.pending.clear();
        const now = Date.now();
        await Promise.all(trims.map(({ name, state, policy }) => this.trim(name, state, policy, now)));
      })
      .catch(this.reportError);
  }
}
