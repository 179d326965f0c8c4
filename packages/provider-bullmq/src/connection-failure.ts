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

/** Network errors: the server cannot be reached, as opposed to a bad command. */
export const CONNECTION_ERROR_PATTERN =
  /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|Command timed out|Stream isn't writeable|NOAUTH|WRONGPASS|Connection terminated|timeout exceeded when trying to connect|the database system is|terminating connection|Client has encountered a connection error|password authentication failed|no answer/i;
