import type { Command } from 'commander';
import { runWorkerProcess } from '@switchyard/container';
import { defineAction, type ReportOutcome } from '../command-action.js';

/**
 * `switchyard worker`: the container's worker process, unchanged (`runWorkerProcess`):
 * it registers every bound processor, and on SIGTERM or SIGINT stops taking jobs, lets
 * the active ones finish and exits 0; a start-up error is one line and exit 1.
 */
export function addWorkerCommand(parent: Command, report: ReportOutcome): void {
  const command = parent
    .command('worker')
    .summary('run the jobs: the worker process')
    .description(
      'Run the worker process: build the container from the environment, register every JobProcessor bound to ' +
        'TYPES.JobProcessor (the booking and payment reminders), and process jobs until SIGTERM or SIGINT, which stop ' +
        'taking jobs, let the active ones finish (up to SHUTDOWN_TIMEOUT_MS) and exit 0.',
    )
    .addHelpText(
      'after',
      `
Examples:
  QUEUE_PROVIDER=bull REDIS_URL=redis://127.0.0.1:6379 switchyard worker
  switchyard worker --env-file .env.production

Your own processors: bind them in a script of your service that calls
runWorkerProcess({ configure(container) { ... } }) from @switchyard/container.`,
    );
  defineAction(command, report, async ({ env }) => {
    await runWorkerProcess({ env });
    return 'running';
  });
}
