import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { renderJob } from './job-tables.js';
import { withConfiguredJobs } from './jobs-session.js';

export function addGetCommand(jobs: Command, report: ReportOutcome): void {
  const command = jobs
    .command('get')
    .summary('show one job: its state, attempts, failure, data and result')
    .description('Show one job: its state, attempts, failure, data and result. Exit code 1 when there is no such job.')
    .argument('<id>', 'job id')
    .option('--json', 'print the job as JSON (null when there is no such job)')
    .addHelpText(
      'after',
      `
Examples:
  switchyard jobs get booking:b-42:24h
  switchyard jobs get welcome-ada --json`,
    );

  defineAction(command, report, (context) =>
    withConfiguredJobs(context, async (provider) => {
      const [id] = command.processedArgs as [string];
      const { json } = command.opts<{ json?: boolean }>();
      const job = await provider.getJob(id);
      if (json) writeJson(job);
      if (job === null) throw new CliError(`no job '${id}'`, 1);
      if (!json) process.stdout.write(`${renderJob(job)}\n`);
      return 0;
    }),
  );
}
