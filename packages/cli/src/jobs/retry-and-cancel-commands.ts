import type { Command } from 'commander';
import type { QueueProvider } from '@switchyard/core';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { withConfiguredJobs } from './jobs-session.js';

/** `retry` and `cancel`: one change per id, each reported; exit code 1 unless every id was changed. */
interface PerJobChange {
  verb: 'retry' | 'cancel';
  done: 'retried' | 'cancelled';
  summary: string;
  description: string;
  examples: string[];
  apply(provider: QueueProvider, id: string): Promise<boolean>;
  /** Why `apply` said no, from the job as it is now. */
  whyNot(state: string): string;
}

const CHANGES: PerJobChange[] = [
  {
    verb: 'retry',
    done: 'retried',
    summary: 'put failed jobs back to waiting, with fresh attempts',
    description:
      'Put failed jobs back to waiting, with fresh attempts. Exit code 1 unless every one of them was retried.',
    examples: [
      'switchyard jobs retry welcome-ada',
      "switchyard jobs list --states failed --json | jq -r '.[].id' | xargs switchyard jobs retry",
    ],
    apply: (provider, id) => provider.retryJob(id),
    whyNot: (state) => `it is ${state}; only a failed job can be retried`,
  },
  {
    verb: 'cancel',
    done: 'cancelled',
    summary: 'remove jobs that are not running (a repeating job stops for good)',
    description:
      'Remove jobs that are not running; a repeating job stops for good. Exit code 1 unless every one of them was cancelled.',
    examples: [
      'switchyard jobs cancel booking:b-42:24h booking:b-42:1h',
      'switchyard jobs cancel nightly-digest --json',
    ],
    apply: (provider, id) => provider.cancelJob(id),
    whyNot: (state) =>
      state === 'active' ? 'it is running (active); let it finish' : `the provider kept it (${state})`,
  },
];

export function addRetryAndCancelCommands(jobs: Command, report: ReportOutcome): void {
  for (const change of CHANGES) {
    const command = jobs
      .command(change.verb)
      .summary(change.summary)
      .description(change.description)
      .argument('<ids...>', 'job ids')
      .option('--json', `print [{ "id", "${change.done}", "reason"? }] as JSON`)
      .addHelpText('after', `\nExamples:\n${change.examples.map((example) => `  ${example}`).join('\n')}`);

    defineAction(command, report, (context) =>
      withConfiguredJobs(context, async (provider) => {
        const [ids] = command.processedArgs as [string[]];
        const { json } = command.opts<{ json?: boolean }>();
        const outcomes: { id: string; changed: boolean; reason?: string }[] = [];
        for (const id of ids) {
          if (await change.apply(provider, id)) {
            outcomes.push({ id, changed: true });
            continue;
          }
          const job = await provider.getJob(id);
          outcomes.push({ id, changed: false, reason: job === null ? 'no such job' : change.whyNot(job.state) });
        }
        if (json) {
          writeJson(
            outcomes.map(({ id, changed, reason }) => ({
              id,
              [change.done]: changed,
              ...(reason === undefined ? {} : { reason }),
            })),
          );
        } else {
          for (const { id, changed, reason } of outcomes) {
            process.stdout.write(changed ? `${change.done} ${id}\n` : `not ${change.done} ${id}: ${reason}\n`);
          }
        }
        return outcomes.every((outcome) => outcome.changed) ? 0 : 1;
      }),
    );
  }
}
