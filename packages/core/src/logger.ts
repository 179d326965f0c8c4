/**
 * The logging port. A winston logger satisfies it as it is, and so does `console`.
 */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};

/** A logger that puts the provider, the job's name and its id on every line it writes. */
export function jobLogger(logger: Logger, provider: string, job: { id: string; name: string }): Logger {
  const meta = { provider, jobName: job.name, jobId: job.id };
  return {
    error: (message, extra) => logger.error(message, { ...meta, ...extra }),
    warn: (message, extra) => logger.warn(message, { ...meta, ...extra }),
    info: (message, extra) => logger.info(message, { ...meta, ...extra }),
    debug: (message, extra) => logger.debug(message, { ...meta, ...extra }),
  };
}
