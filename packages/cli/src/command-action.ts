import type { Command } from 'commander';
import type { Environment } from '@switchyard/container';
import { CliError } from './cli-error.js';
import { readEnvironment } from './environment.js';
import { errorLine } from './error-line.js';

/** How a command ends: an exit code, or `'running'` for a server that stays up until a signal stops it. */
export type CommandOutcome = number | 'running';

export type ReportOutcome = (outcome: CommandOutcome) => void;

/** What a command's body gets. */
export interface ActionContext {
  command: Command;
  /** The process environment over the variables of `--env-file`. */
  env: Environment;
  /**
   * Connection URLs whose passwords must never be printed. The environment's are in it
   * already; a command adds the ones it was given (`--from-url`).
   */
  secretUrls: string[];
}

/**
 * Sets `command`'s action to `body`, and reports how it ended. Whatever `body` throws
 * is printed as one line, `switchyard <command>: <message>` with secrets masked and no
 * stack: a `CliError` ends with its exit code, anything else (a server failing mid-run)
 * with 2.
 */
export function defineAction(
  command: Command,
  report: ReportOutcome,
  body: (context: ActionContext) => Promise<CommandOutcome>,
): void {
  command.action(async () => {
    const secretUrls: string[] = [];
    try {
      const env = readEnvironment(command.optsWithGlobals<{ envFile?: string }>().envFile);
      for (const url of [env.REDIS_URL, env.MONGODB_URL, env.DATABASE_URL])
        if (url !== undefined && url !== '') secretUrls.push(url);
      report(await body({ command, env, secretUrls }));
    } catch (error) {
      process.stderr.write(`${commandPath(command)}: ${errorLine(error, secretUrls)}\n`);
      report(error instanceof CliError ? error.exitCode : 2);
    }
  });
}

/** `switchyard jobs list`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
