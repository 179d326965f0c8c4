import { createLogger as createWinstonLogger, format, transports, type Logger as WinstonLogger } from 'winston';
import { redactLogFormat, urlPasswords } from './redact-log-format.js';
import type { SwitchyardConfig } from './switchyard-config.js';

/**
 * The winston logger behind `TYPES.Logger`: JSON lines (for log shippers) or readable
 * lines (for a terminal), secrets masked in both. Providers add `provider`, `jobName`
 * and `jobId` to each entry they log about a job; the pretty format puts them up front.
 */
export interface LoggerSettings {
  log: SwitchyardConfig['log'];
  /** Put on every line as `provider`. */
  provider: string;
  /** Connection URLs whose passwords must never be printed. */
  secretUrls: string[];
}

export function createLogger(
  settings: LoggerSettings,
  destination: NodeJS.WritableStream = process.stdout,
): WinstonLogger {
  const redact = redactLogFormat({ secrets: urlPasswords(...settings.secretUrls) });
  const output =
    settings.log.format === 'json'
      ? format.combine(format.timestamp(), format.json())
      : format.combine(format.timestamp({ format: 'HH:mm:ss.SSS' }), format.printf(prettyLine));
  return createWinstonLogger({
    level: settings.log.level,
    defaultMeta: { provider: settings.provider },
    format: format.combine(format.errors({ stack: true }), redact, output),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- winston types its Stream transport as an interface; it is a TransportStream
    transports: [new transports.Stream({ stream: destination })],
  });
}

function prettyLine(info: Record<string, unknown>): string {
  const { timestamp, level, message, provider, jobName, jobId, ...rest } = info;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- strings, put there by jobLogger
  const where = [provider, jobName, jobId].filter((part) => part !== undefined).join(' ');
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} [${where}] ${String(message)}${extra}`;
}
