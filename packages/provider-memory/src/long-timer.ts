/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days); reminders are often due months ahead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A cancellable timer that may be any length: longer delays are chained in steps. */
export interface LongTimer {
  clear(): void;
}

export function setLongTimer(callback: () => void, dueAt: number, now: () => number = Date.now): LongTimer {
  let handle: NodeJS.Timeout;
  const arm = () => {
    const remaining = dueAt - now();
    if (remaining > MAX_TIMER_DELAY_MS) {
      handle = setTimeout(arm, MAX_TIMER_DELAY_MS);
    } else {
      handle = setTimeout(callback, Math.max(0, remaining));
    }
  };
  arm();
  return { clear: () => clearTimeout(handle) };
}
