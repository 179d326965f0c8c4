import { Option, type Command } from 'commander';
import { DEFAULT_LIST_LIMIT, JOB_STATES, MAX_LIST_LIMIT, type JobState } from '@switchyard/core';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { commaList, listOf, wholeNumber } from '../option-values.js';
import { renderJobList } from './job-tables.js';
import { withConfiguredJobs } from './jobs-session.js';

interface ListOptions {
  names?: string[];
  states?: JobState[];
  limit: number;
  offset: number;
  json?: boolean;
}

export function addListCommand(jobs: Command, report: ReportOutcome): void {
  const command = jobs
    .command('list')
    .summary('list jobs, oldest first')
    .description(`List jobs, oldest first (then by id), ${DEFAULT_LIST_LIMIT} at a time unless --limit says otherwise.`)
    .option('--names <names>', 'only these job names, comma-separated', commaList)
    .option(
      '--states <states>',
      `only jobs in these states, comma-separated: ${JOB_STATES.join(', ')}`,
      listOf(JOB_STATES, 'state'),
    )
    .addOption(
      new Option('--limit <n>', `at most this many jobs (1 to ${MAX_LIST_LIMIT})`)
        .argParser(wholeNumber(1, MAX_LIST_LIMIT))
        .default(DEFAULT_LIST_LIMIT),
    )
    .addOption(
      new Option('--offset <n>', 'skip this many first').argParser(wholeNumber(0, Number.MAX_SAFE_INTEGER)).default(0),
    )
    .option('--json', 'print the jobs as a JSON array')
    .addHelpText(
      'after',
      `
Examples:
  switchyard jobs list
  switchyard jobs list --states failed --names email,sms
  switchyard jobs list --limit 1000 --offset 1000 --json`,
    );

  defineAction(command, report, (context) =>
    withConfiguredJobs(context, async (provider) => {
      const { names, states, limit, offset, json } = command.opts<ListOptions>();
      const jobs = await provider.listJobs({
        ...(names === undefined ? {} : { names }),
        ...(states === undefined ? {} : { states }),
        limit,
        offset,
      });
      if (json) {
        writeJson(jobs);
        return 0;
      }
      process.stdout.write(jobs.length === 0 ? 'no jobs\n' : `${renderJobList(jobs)}\n`);
      // On stderr, so that the table on stdout stays the table.
      if (jobs.length === limit)
        process.stderr.write(`showing ${limit} jobs from ${offset}; the next page: --offset ${offset + limit}\n`);
      return 0;
    }),
  );
}
