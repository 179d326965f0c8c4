import { SwitchyardError } from '@switchyard/core';

/** One wrong setting: the variable, what it was given (secrets masked) and what it accepts. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every wrong setting found at start-up, reported together rather than one per run. */
export class ConfigError extends SwitchyardError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
      'CONFIG_ERROR',
    );
  }
}
