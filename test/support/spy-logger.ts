import sinon from 'sinon';
import type { Logger } from '@switchyard/core';

/** A logger whose every level is a sinon spy, for tests that read what was logged. */
export type SpyLogger = Logger & Record<keyof Logger, sinon.SinonSpy>;

export function spyLogger(): SpyLogger {
  return { error: sinon.spy(), warn: sinon.spy(), info: sinon.spy(), debug: sinon.spy() };
}

/** Every call to every level, as JSON lines: to check that a secret appears in none. */
export function everythingLogged(logger: SpyLogger): string {
  return (['error', 'warn', 'info', 'debug'] as const)
    .flatMap((level) => logger[level].getCalls().map((call) => JSON.stringify(call.args)))
    .join('\n');
}
