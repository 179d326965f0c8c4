import type { QueueProvider, QueueProviderEvent, QueueProviderEvents } from '../queue-provider.js';

/**
 * Waiting without sleeping: every wait here ends as soon as the awaited thing happens,
 * and the deadline only decides how long a broken provider may keep a test waiting
 * before it fails with a message that says what never happened.
 */

export interface WaitForOptions {
  /** Give up after this long; default 5000. */
  timeoutMs?: number;
  /** How often to ask again; default 5. */
  intervalMs?: number;
  /** What was awaited, for the error when it never happens. */
  message?: string;
}

/**
 * Resolves as soon as `predicate` returns true (it is asked at once, then every
 * `intervalMs`); rejects once `timeoutMs` has passed without that.
 *
 * @example
 * ```ts
 * await waitFor(() => processor.attempts.length === 2, { timeoutMs: 2000, message: 'two attempts' });
 * ```
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.message ?? 'a condition'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The arguments of the next `event` whose arguments pass `filter`. Subscribe before
 * doing what causes the event, or it may fire first.
 *
 * @example
 * ```ts
 * const done = once(provider, 'completed', (job) => job.name === 'email');
 * await provider.scheduleJob('email', {});
 * const [job, result] = await done;
 * ```
 */
export function once<E extends QueueProviderEvent>(
  provider: QueueProvider,
  event: E,
  filter: (...args: Parameters<QueueProviderEvents[E]>) => boolean = () => true,
  options: { timeoutMs?: number } = {},
): Promise<Parameters<QueueProviderEvents[E]>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const result = new Promise<Parameters<QueueProviderEvents[E]>>((resolve, reject) => {
    const listener = ((...args: Parameters<QueueProviderEvents[E]>) => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      provider.off(event, listener);
      resolve(args);
    }) as QueueProviderEvents[E];
    const timer = setTimeout(() => {
      provider.off(event, listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for a '${event}' event`));
    }, timeoutMs);
    provider.on(event, listener);
  });
  // A test that fails before awaiting this must not leave an unhandled rejection behind
  // to fail some later test; awaiting `result` still throws.
  result.catch(() => {});
  return result;
}

/**
 * Lets every queued callback (promise jobs, I/O, timers already due) run once: a yield
 * to the event loop, not a sleep.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `promise`, or a rejection naming `what` once `timeoutMs` has passed: for calls that
 * must not hang, such as `close()`.
 */
export async function settlesWithin<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
