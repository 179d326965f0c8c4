import type { Command } from 'commander';
import type { ReportOutcome } from '../command-action.js';
import { addCleanCommand } from '../jobs/clean-command.js';
import { addGetCommand } from '../jobs/get-command.js';
import { addListCommand } from '../jobs/list-command.js';
import { addPauseAndResumeCommands } from '../jobs/pause-and-resume-commands.js';
import { addRetryAndCancelCommands } from '../jobs/retry-and-cancel-commands.js';
import { addStatsCommand } from '../jobs/stats-command.js';

/** `switchyard jobs <subcommand>`: the jobs of the provider the environment configures, as the worker sees them. */
export function addJobsCommand(parent: Command, report: ReportOutcome): void {
  const jobs = parent
    .command('jobs')
    .summary('list, inspect, retry, cancel, pause, resume and clean jobs')
    .description(
      'Look at and act on the jobs of the provider the environment configures (QUEUE_PROVIDER, REDIS_URL, MONGODB_URL, ' +
        'QUEUE_PREFIX, ...), as the worker and the admin server see them. Tables on stdout; --json for programs.',
    )
    .addHelpText(
      'after',
      `
Examples:
  QUEUE_PROVIDER=bull REDIS_URL=redis://127.0.0.1:6379 switchyard jobs stats
  switchyard jobs list --states failed
  switchyard jobs get welcome-ada --json
  switchyard jobs retry welcome-ada

Exit codes: 0 done; 1 not every job could be changed, or no such job;
2 bad input or an unreachable server.`,
    );
  addListCommand(jobs, report);
  addGetCommand(jobs, report);
  addStatsCommand(jobs, report);
  addRetryAndCancelCommands(jobs, report);
  addPauseAndResumeCommands(jobs, report);
  addCleanCommand(jobs, report);
}
