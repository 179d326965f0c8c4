import type { RetentionPolicy } from '../retention.js';

/** How long a trim waits for more finishes to share its backend calls. */
export const RETENTION_TRIM_DELAY_MS = 50;

/**
 * How long the next trim of a name and state waits after one that removed nothing.
 * Such a trim found the name under its count (or nothing old enough): a name that
 * keeps 1,000 jobs and has fewer asked for a trim query every 50 ms, each sorting its
 * finished jobs, which cost Agenda on MongoDB a tenth of its rate while removing nothing.
 */
export const IDLE_RETENTION_TRIM_DELAY_MS = 500;

/**
 * Trims the finished jobs of `name` in `state` by `policy` (what a provider writes: its
 * deletes), and says how many it removed.
 */
export type TrimFinished = (
  name: string,
  state: 'completed' | 'failed',
  policy: RetentionPolicy,
  now: number,
) => Promise<number>;

/**
 * Batches a provider's retention trims (count and age policies, see `RetentionOption`):
 * a job that finishes asks for a trim of its name and state, and the trims asked for
 * within `RETENTION_TRIM_DELAY_MS` run once, with the policy of the last job that
 * finished, so a worker finishing thousands of jobs a second makes a few dozen trims,
 * not one per job. Removal therefore happens within about that long after the finish
 * that calls for it, or within `IDLE_RETENTION_TRIM_DELAY_MS` when the name's last trim
 * removed nothing (it was under its count). `flush()` runs what is pending (a provider
 * calls it as it closes).
 *
 * @example
 * ```ts
 * // deleteOldFinished resolves to the number of jobs it deleted.
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
  /** By pending key: the time before which its next trim does not run (its last removed nothing). */
  private readonly idleUntil = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly trim: TrimFinished,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** A job of `name` finished in `state` with a count or age policy. */
  request(name: string, state: 'completed' | 'failed', policy: RetentionPolicy): void {
    this.pending.set(`${state}:${name}`, { name, state, policy });
    this.arm(RETENTION_TRIM_DELAY_MS);
  }

  /** Runs the pending trims now, and waits for any under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.runPending(Number.POSITIVE_INFINITY);
    await this.running;
  }

  /** Runs the pending trims in `delayMs`, or sooner if already due sooner. */
  private arm(delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (this.timer !== undefined) {
      if (this.timerDueAt <= dueAt) return;
      clearTimeout(this.timer);
    }
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runPending(Date.now());
    }, delayMs);
  }

  /** Runs the pending trims that are not idle at `now`; the others wait for the end of their idle time. */
  private runPending(now: number): void {
    let nextDue = Number.POSITIVE_INFINITY;
    const due: [string, { name: string; state: 'completed' | 'failed'; policy: RetentionPolicy }][] = [];
    for (const [key, trim] of this.pending) {
      const idleUntil = this.idleUntil.get(key) ?? 0;
      if (idleUntil <= now) due.push([key, trim]);
      else nextDue = Math.min(nextDue, idleUntil);
    }
    for (const [key] of due) this.pending.delete(key);
    if (nextDue !== Number.POSITIVE_INFINITY) this.arm(Math.max(1, nextDue - Date.now()));
    if (due.length === 0) return;
    this.running = this.running
      .then(async () => {
        const startedAt = Date.now();
        await Promise.all(
          due.map(async ([key, { name, state, policy }]) => {
            const removed = await this.trim(name, state, policy, startedAt);
            if (removed === 0) this.idleUntil.set(key, Date.now() + IDLE_RETENTION_TRIM_DELAY_MS);
            else this.idleUntil.delete(key);
          }),
        );
      })
      .catch(this.reportError);
  }
}
