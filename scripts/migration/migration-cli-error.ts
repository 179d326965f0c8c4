/** Bad input or an unreachable server: printed as one line, exit code 2, nothing touched. */
export class MigrationCliError extends Error {}
