import type { Command } from 'commander';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { runReminderDemo } from '../demo/reminder-demo.js';

/** `switchyard demo`: a day and a half of booking and payment reminders in about 15 seconds. */
export function addDemoCommand(parent: Command, report: ReportOutcome): void {
  const command = parent
    .command('demo')
    .summary('play a day and a half of booking and payment reminders in about 15 seconds')
    .description(
      'Play a day and a half of booking and payment reminders in about 15 seconds, end to end through the worker, and ' +
        'print what was scheduled, sent, skipped and cancelled. Runs on the embedded memory provider unless ' +
        'QUEUE_PROVIDER names another.',
    )
    .addHelpText(
      'after',
      `
Examples:
  switchyard demo
  QUEUE_PROVIDER=bull REDIS_URL=redis://127.0.0.1:6379/5 switchyard demo`,
    );
  defineAction(command, report, async ({ env }) => {
    await runReminderDemo(env);
    return 0;
  });
}
