/**
 * `promise`, or a rejection with `Error(message)` once `ms` have passed. The one timeout
 * helper every provider uses (close steps, health checks, connecting). The timer never
 * keeps the process alive, and whatever `promise` settles to after the deadline is
 * ignored: nobody is left to tell.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
