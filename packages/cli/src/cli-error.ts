/**
 * A problem the user can fix (a bad flag or setting, a server that cannot be reached,
 * a job that is not there): printed as one line, `switchyard <command>: <message>`,
 * never with a stack, and the process exits with `exitCode`.
 *
 * Exit codes, the same for every command: 0 done; 1 done in part (some jobs could not
 * be migrated, retried or cancelled; a job not found); 2 bad input or an unreachable
 * server, nothing touched.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
