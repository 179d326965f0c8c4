import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commandPath, type CommandOutcome, type ReportOutcome } from './command-action.js';
import { addAdminCommand } from './commands/admin-command.js';
import { addDemoCommand } from './commands/demo-command.js';
import { addJobsCommand } from './commands/jobs-command.js';
import { addMigrateCommand } from './commands/migrate-command.js';
import { addWorkerCommand } from './commands/worker-command.js';

/** dist/program.js and src/program.ts both sit one folder below package.json. */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The `switchyard` command and every subcommand; `report` learns how the one that ran ended. */
export function createProgram(report: ReportOutcome): Command {
  const program = new Command('switchyard')
    .description(
      'One job-queue API over memory, Bull (Redis) and Agenda (MongoDB): run the worker or the admin server, move jobs between backends, look at and act on jobs.',
    )
    .version(version, '-V, --version', 'print the version')
    .option('--env-file <path>', 'read settings from this dotenv file too; variables already in the environment win')
    // Every subcommand made with .command() from here on inherits these.
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Settings come from the environment, as for the container: QUEUE_PROVIDER
(memory, bull, bullmq, agenda), REDIS_URL, DATABASE_URL, MONGODB_URL, QUEUE_PREFIX,
LOG_LEVEL, ...

Examples:
  switchyard demo
  QUEUE_PROVIDER=bull REDIS_URL=redis://127.0.0.1:6379 switchyard worker
  switchyard jobs list --states failed --env-file .env.production
  switchyard migrate --from bull --to agenda --dry-run
  switchyard <command> --help`,
    );
  addWorkerCommand(program, report);
  addAdminCommand(program, report);
  addMigrateCommand(program, report);
  addJobsCommand(program, report);
  addDemoCommand(program, report);
  for (const command of everyCommand(program)) printErrorsAsOneLine(command);
  return program;
}

/**
 * Runs the command line `argv` (without `node` and the script) and says how it ended.
 * Bad usage (an unknown command or flag, a bad value, a missing argument) is one line
 * naming the flag on stderr and exit code 2; `--help` and `--version` exit 0.
 */
export async function runCli(argv: readonly string[]): Promise<CommandOutcome> {
  let outcome: CommandOutcome = 0;
  const program = createProgram((ended) => (outcome = ended));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // Commander has printed the help or the error already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return outcome;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

/** "switchyard jobs list: unknown option '--jsn' (Did you mean --json?)" rather than commander's two lines. */
function printErrorsAsOneLine(command: Command): void {
  command.configureOutput({
    ...command.configureOutput(),
    outputError: (text, write) =>
      write(
        `${commandPath(command)}: ${text
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()}\n`,
      ),
  });
}
