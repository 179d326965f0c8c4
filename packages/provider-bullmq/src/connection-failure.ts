import { redactSecrets } from '@switchyard/core';

/** An error's message with its code (ECONNREFUSED, ...) in front, when the message lacks it. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

/** `describeFailure` with the password of `url` taken out. */
export function redactedFailure(error: unknown, url: string): string {
  return redactSecrets(describeFailure(error), url);
}

/** Rejects with `message` when `promise` has not settled within `timeoutMs`. */
export async function withinDeadline<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  // Whatever it settles to after the deadline has nobody left to tell.
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Network errors: the server cannot be reached, as opposed to a bad command. */
export const CONNECTION_ERROR_PATTERN =
  /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Command timed out|Stream isn't writeable|NOAUTH|WRONGPASS|Connection terminated|timeout exceeded when trying to connect|the database system is|terminating connection|Client has encountered a connection error|password authentication failed|no answer within/i;
