import type { Redis } from 'ioredis';

/**
 * Fails the commands waiting on a Redis connection once Redis has answered none of them
 * for `timeoutMs`: what ioredis' `commandTimeout` does, without a timer per command.
 *
 * With `commandTimeout`, ioredis arms a timer for every command it sends and, when the
 * answer comes, clears it and `delete`s it from the command (which turns the command into
 * a slow dictionary-mode object). On the connection Bull's workers share that is every
 * command of every job run, and it cost the provider several percent of its throughput.
 *
 * Here one timer per connection looks, every tenth of the timeout, at the oldest command
 * still waiting: the head of ioredis' command queue, which Redis answers in order. If the
 * same command has been at the head for `timeoutMs`, Redis has answered nothing in that
 * time, and every waiting command is rejected with ioredis' own "Command timed out". The
 * commands stay in ioredis' queue, so an answer that comes late still finds its own
 * command (and is ignored), never a later one's.
 *
 * So a command fails at most `timeoutMs` plus two ticks after it is sent to a Redis that
 * has stopped answering (sooner if older commands were already waiting), and never while
 * Redis answers. Commands queued while disconnected are ioredis' to fail
 * (`maxRetriesPerRequest`).
 */

/** Checks per timeout: how finely the timeout is kept. */
const TICKS_PER_TIMEOUT = 10;

/** An entry of ioredis' command queue (not in its type declarations). */
interface WaitingCommand {
  command: { reject(error: Error): void };
}

/** ioredis' command queue: a denque of the commands sent and not yet answered. */
interface CommandQueue {
  peekFront(): WaitingCommand | undefined;
  toArray(): WaitingCommand[];
}

export class UnansweredCommands {
  private readonly ticker: NodeJS.Timeout;
  private oldest: WaitingCommand | undefined;
  private oldestSince = 0;

  constructor(
    private readonly client: Redis,
    private readonly timeoutMs: number,
  ) {
    this.ticker = setInterval(() => this.check(), Math.max(1, Math.ceil(timeoutMs / TICKS_PER_TIMEOUT)));
    // The commands waiting keep the process alive by their socket, never by this timer.
    this.ticker.unref();
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private check(): void {
    const queue = (this.client as unknown as { commandQueue?: CommandQueue }).commandQueue;
    const oldest = queue?.peekFront();
    const now = performance.now();
    if (oldest !== this.oldest) {
      this.oldest = oldest;
      this.oldestSince = now;
      return;
    }
    if (oldest === undefined || now - this.oldestSince < this.timeoutMs) return;
    const timedOut = new Error('Command timed out');
    for (const waiting of queue!.toArray()) waiting.command.reject(timedOut);
    // Rejected, they stay at the head until answered: commands sent from now on get a full timeout.
    this.oldestSince = now;
  }
}
