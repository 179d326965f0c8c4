import type { AttemptControl } from '../attempt-control.js';

/**
 * The attempts running in this process, by whatever key the provider has for one
 * (Bull's job object, Agenda's job, the memory provider's job). `close()` waits on it
 * and aborts what is left at its timeout.
 */
export class RunningAttempts<K = unknown, A extends { control: AttemptControl } = { control: AttemptControl }> {
  private readonly controls = new Map<K, A>();
  private idleWaiters: (() => void)[] = [];

  get size(): number {
    return this.controls.size;
  }

  add(key: K, attempt: A): void {
    this.controls.set(key, attempt);
  }

  get(key: K): A | undefined {
    return this.controls.get(key);
  }

  /** The attempt is over (or given up): `close()` need not wait for it any more. */
  delete(key: K): void {
    if (!this.controls.delete(key) || this.controls.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when no attempt runs. */
  whenIdle(): Promise<void> {
    if (this.controls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every running attempt's signal with `reason` (processors that honour it end at once). */
  abortAll(reason: Error): void {
    for (const attempt of this.controls.values()) attempt.control.abort(reason);
  }
}
