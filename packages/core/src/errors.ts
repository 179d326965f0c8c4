/** Base class of every error Switchyard throws on purpose; `code` is stable for programs. */
export class SwitchyardError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: `field` names the offending option or data path (e.g. `delayMs`, `backoff.jitter`, `data.items[2]`). */
export class ValidationError extends SwitchyardError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`, 'VALIDATION_ERROR');
  }
}

/** The backend cannot be reached. The message names host and port, never credentials. */
export class ProviderUnavailableError extends SwitchyardError {
  constructor(
    readonly provider: string,
    readonly host: string,
    readonly port: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider} backend at ${host}:${port} is unavailable: ${reason}`, 'PROVIDER_UNAVAILABLE', options);
  }
}

/**
 * The backend refused an operation for a reason other than being unreachable (a Redis
 * error reply, a script error, a MongoDB server error). `cause` is the backend's own
 * error; the message never holds credentials.
 */
export class BackendError extends SwitchyardError {
  constructor(
    readonly provider: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider} backend error: ${reason}`, 'BACKEND_ERROR', options);
  }
}

/** A job id that the provider does not know. */
export class JobNotFoundError extends SwitchyardError {
  constructor(readonly jobId: string) {
    super(`Job ${jobId} not found`, 'JOB_NOT_FOUND');
  }
}

/** A call made after `close()`. */
export class ProviderClosedError extends SwitchyardError {
  constructor(readonly provider: string) {
    super(`The ${provider} provider is closed`, 'PROVIDER_CLOSED');
  }
}

/** An attempt ran longer than its `timeoutMs`; the processor's signal is aborted with this reason. */
export class JobTimeoutError extends SwitchyardError {
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`Job ${jobId} timed out after ${timeoutMs} ms`, 'JOB_TIMEOUT');
  }
}

/** Whatever was thrown, as an Error (a thrown string or object keeps its text). */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
