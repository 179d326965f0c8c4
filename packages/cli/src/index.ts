export { createProgram, runCli } from './program.js';
export { CliError } from './cli-error.js';
export type { CommandOutcome } from './command-action.js';
