import { Option, type Command } from 'commander';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { duration, listOf } from '../option-values.js';
import { withConfiguredJobs } from './jobs-session.js';

const FINISHED_STATES = ['completed', 'failed'] as const;

interface CleanOptions {
  olderThan: number;
  states: (typeof FINISHED_STATES)[number][];
  json?: boolean;
}

export function addCleanCommand(jobs: Command, report: ReportOutcome): void {
  const command = jobs
    .command('clean')
    .summary('remove finished jobs older than a given age')
    .description(
      'Remove the completed (and, with --states, failed) jobs of every name that finished longer ago than --older-than.',
    )
    .addOption(
      new Option('--older-than <duration>', 'finished at least this long ago: 30m, 24h, 7d, or 0 for all')
        .argParser(duration)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--states <states>', `which finished states, comma-separated: ${FINISHED_STATES.join(', ')}`)
        .argParser(listOf(FINISHED_STATES, 'finished state'))
        .default(['completed'], 'completed'),
    )
    .option('--json', 'print { "removed", "states", "olderThanMs" } as JSON')
    .addHelpText(
      'after',
      `
Examples:
  switchyard jobs clean --older-than 7d
  switchyard jobs clean --older-than 30d --states completed,failed --json`,
    );

  defineAction(command, report, (context) =>
    withConfiguredJobs(context, async (provider) => {
      const { olderThan, states, json } = command.opts<CleanOptions>();
      const removed = await provider.clean({ states, olderThanMs: olderThan });
      if (json) writeJson({ removed, states, olderThanMs: olderThan });
      else process.stdout.write(`removed ${removed} ${states.join(' or ')} job${removed === 1 ? '' : 's'}\n`);
      return 0;
    }),
  );
}
