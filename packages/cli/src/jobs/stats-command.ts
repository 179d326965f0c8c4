import type { Command } from 'commander';
import { KnownJobNames } from '@switchyard/admin';
import { JOB_STATES, type JobState } from '@switchyard/core';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { renderStats } from './job-tables.js';
import { withConfiguredJobs } from './jobs-session.js';

type Counts = Record<JobState, number> & { paused: boolean };

export function addStatsCommand(jobs: Command, report: ReportOutcome): void {
  const command = jobs
    .command('stats')
    .summary('count jobs per state, per job name')
    .description(
      'Count jobs per state, one row per job name, and whether each name is paused. Without names, the names are found ' +
        'the way the admin dashboard finds them (a scan of up to 5,000 jobs per state), and the total is the whole backend.',
    )
    .argument('[names...]', 'job names (default: every name found)')
    .option('--json', 'print { "byName": { <name>: counts }, "total": counts } as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  switchyard jobs stats\n  switchyard jobs stats booking-reminder payment-reminder --json',
    );

  defineAction(command, report, (context) =>
    withConfiguredJobs(context, async (provider) => {
      const [given] = command.processedArgs as [string[]];
      const { json } = command.opts<{ json?: boolean }>();
      const names = given.length > 0 ? given : await new KnownJobNames(provider).list();
      const byName: Record<string, Counts> = {};
      for (const name of names) byName[name] = await provider.getStats(name);
      const total = given.length > 0 ? sum(Object.values(byName)) : await provider.getStats();
      if (json) writeJson({ byName, total });
      else process.stdout.write(`${renderStats(byName, total)}\n`);
      return 0;
    }),
  );
}

/** The counts of the names given, added up; paused only when every one of them is. */
function sum(all: Counts[]): Counts {
  const total = { ...Object.fromEntries(JOB_STATES.map((state) => [state, 0])), paused: all.length > 0 } as Counts;
  for (const counts of all) {
    for (const state of JOB_STATES) total[state] += counts[state];
    total.paused &&= counts.paused;
  }
  return total;
}
