import type { Redis } from 'ioredis';

/** How often the delayed set of each processed name is read for jobs other processes added. */
export const DELAYED_POLL_INTERVAL_MS = 1000;

/** A timer is set only for a job due this soon; the poll sets one for a later job as it comes near. */
const MAX_ARM_AHEAD_MS = 10_000;

/** BullMQ's delayed-set scores: the due time in ms times 0x1000, plus a counter (getDelayedScore.lua). */
const SCORE_PER_MS = 0x1000;

/**
 * Wakes the BullMQ workers of a name on Redis when its next delayed job falls due.
 *
 * A BullMQ worker waiting for a delayed job blocks on the queue's marker (BZPOPMIN) with
 * a timeout that ends at the due time. Redis checks such timeouts `hz` times a second,
 * 10 by default, so a delayed job started up to 100 ms late, 50 ms on average (measured:
 * p50 43 ms, p99 98 ms). So the provider keeps a timer of its own at the earliest delayed
 * job of each name it processes and, when it fires, adds the marker BullMQ adds for a
 * waiting job (`ZADD <marker> 0 "0"`): a blocked worker returns at once, and its next
 * fetch promotes what is due, as every fetch does.
 *
 * The earliest due time comes from the jobs this process schedules (`noteDue`), and
 * from the delayed set, read as processing starts, after each wake-up, after a failed
 * attempt (a retry waits there) and every `DELAYED_POLL_INTERVAL_MS`, for jobs other
 * processes add. Jobs already due are the woken worker's to take, so a read looks only
 * past now: a worker that is busy takes them at its next fetch, and no timer spins.
 *
 * A call that fails (Redis away) is dropped: the workers still wake by their own
 * timeouts, as late as without this, and report the outage themselves.
 */
export class DelayedWakeUps {
  private readonly armed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly names = new Set<string>();
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly redis: () => Redis,
    /** `<prefix>:<name>:`, the start of every key of that name's queue. */
    private readonly queueKeyPrefix: (name: string) => string,
  ) {}

  /** A worker of `name` started here. */
  watch(name: string): void {
    if (this.closed || this.names.has(name)) return;
    this.names.add(name);
    this.refresh(name);
    this.poll ??= setInterval(() => {
      for (const each of this.names) this.refresh(each);
    }, DELAYED_POLL_INTERVAL_MS).unref();
  }

  /** A job of `name` falls due at `at` (ms): wake the workers then, if they are here. */
  noteDue(name: string, at: number): void {
    if (this.names.has(name)) this.arm(name, at);
  }

  /** Reads the next delayed job of `name` soon (after a failed attempt went back to wait there). */
  refresh(name: string): void {
    if (this.closed) return;
    const after = (Date.now() + 1) * SCORE_PER_MS;
    this.redis()
      .zrangebyscore(`${this.queueKeyPrefix(name)}delayed`, after, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      .then(([, score]) => {
        if (score !== undefined) this.arm(name, Math.floor(Number(score) / SCORE_PER_MS));
      })
      .catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    for (const { timer } of this.armed.values()) clearTimeout(timer);
    this.armed.clear();
    this.names.clear();
  }

  private arm(name: string, at: number): void {
    if (this.closed || at - Date.now() > MAX_ARM_AHEAD_MS) return;
    const current = this.armed.get(name);
    if (current !== undefined && current.at <= at) return;
    if (current !== undefined) clearTimeout(current.timer);
    const timer = setTimeout(() => this.wake(name), Math.max(0, at - Date.now())).unref();
    this.armed.set(name, { at, timer });
  }

  private wake(name: string): void {
    this.armed.delete(name);
    if (this.closed) return;
    this.redis()
      .zadd(`${this.queueKeyPrefix(name)}marker`, 0, '0')
      .then(() => this.refresh(name))
      .catch(() => undefined);
  }
}
