import type { Command } from 'commander';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { withConfiguredJobs } from './jobs-session.js';

/** `pause` and `resume`: per job name, for every worker on the backend (the memory provider: this process only). */
export function addPauseAndResumeCommands(jobs: Command, report: ReportOutcome): void {
  for (const verb of ['pause', 'resume'] as const) {
    const done = verb === 'pause' ? 'paused' : 'resumed';
    const command = jobs
      .command(verb)
      .summary(
        verb === 'pause'
          ? 'stop taking new jobs of a name (or of every name); active ones finish'
          : 'take jobs again after a pause',
      )
      .description(
        verb === 'pause'
          ? 'Stop taking new jobs of one name, or of every name (including names first seen later) when none is given. ' +
              'Active jobs finish. It holds for every worker on the backend.'
          : 'Take jobs again: of one name, or of every name when none is given.',
      )
      .argument('[name]', 'job name (default: every name)')
      .option('--json', `print { "name", "${done}": true } as JSON`)
      .addHelpText('after', `\nExamples:\n  switchyard jobs ${verb} booking-reminder\n  switchyard jobs ${verb}`);

    defineAction(command, report, (context) =>
      withConfiguredJobs(context, async (provider) => {
        const [name] = command.processedArgs as [string | undefined];
        const { json } = command.opts<{ json?: boolean }>();
        await (verb === 'pause' ? provider.pause(name) : provider.resume(name));
        if (json) writeJson({ name: name ?? null, [done]: true });
        else process.stdout.write(`${done} ${name ?? 'every job name'}\n`);
        return 0;
      }),
    );
  }
}
