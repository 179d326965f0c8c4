/**
 * Moves jobs between providers with nothing lost and nothing doubled.
 * `npm run migrate -- --from bull --to agenda [options]`; `--help` explains every flag.
 *
 * Exit codes: 0 every selected job is on the target; 1 some could not be migrated (see
 * the table and the failures); 2 bad input or an unreachable server, nothing touched.
 */
import { Command, CommanderError, Option } from 'commander';
import { JOB_STATES, migrateJobs, type JobState, type QueueProvider } from '@switchyard/core';
import { createLogger, PROVIDER_NAMES } from '@switchyard/container';
import { MigrationCliError } from './migration/migration-cli-error.js';
import { openProvider } from './migration/open-provider.js';
import { progressDisplay } from './migration/progress-display.js';
import { renderSummaryTable } from './migration/summary-table.js';

const MIGRATABLE_STATES = JOB_STATES.filter((state) => state !== 'active');

const program = new Command('migrate-jobs')
  .description('Move or copy jobs from one Switchyard provider to another. Copies, verifies by id, then (move) deletes from the source; safe to run again after an interruption.')
  .addOption(new Option('--from <provider>', 'source provider').choices([...PROVIDER_NAMES]).makeOptionMandatory())
  .addOption(new Option('--to <provider>', 'target provider').choices([...PROVIDER_NAMES]).makeOptionMandatory())
  .option('--from-url <url>', 'source connection URL (default: REDIS_URL or MONGODB_URL, as the container reads them)')
  .option('--to-url <url>', 'target connection URL (default: as for --from-url)')
  .option('--names <names>', 'only these job names, comma-separated (default: every name)')
  .option('--states <states>', `only jobs in these states, comma-separated: ${MIGRATABLE_STATES.join(', ')}`, 'scheduled,waiting,failed')
  .addOption(new Option('--mode <mode>', 'copy leaves the source as it was; move deletes what arrived').choices(['copy', 'move']).default('copy'))
  .option('--dry-run', 'read the source and print what would happen; write nothing', false)
  .option('--batch-size <n>', 'snapshots per import batch', '500')
  .option('--json', 'print the report as JSON instead of a table', false)
  .addHelpText(
    'after',
    `
Examples:
  npm run migrate -- --from bull --to agenda --dry-run
  npm run migrate -- --from bull --to agenda --mode move --names booking-reminder,payment-reminder
  npm run migrate -- --from agenda --to bull --from-url mongodb://db:27017/app --to-url redis://cache:6379 --json

Exit codes: 0 every selected job is on the target; 1 some were not migrated; 2 bad input
or unreachable server (nothing touched).`,
  )
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

interface CliOptions {
  from: string;
  to: string;
  fromUrl?: string;
  toUrl?: string;
  names?: string;
  states: string;
  mode: 'copy' | 'move';
  dryRun: boolean;
  batchSize: string;
  json: boolean;
}

async function main(): Promise<number> {
  try {
    program.parse();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const options = program.opts<CliOptions>();
  const states = list(options.states);
  for (const state of states) {
    if (!(MIGRATABLE_STATES as string[]).includes(state)) {
      throw new MigrationCliError(`--states: unknown or unmovable state '${state}' (valid: ${MIGRATABLE_STATES.join(', ')})`);
    }
  }
  const batchSize = Number(options.batchSize);
  if (!/^\d+$/.test(options.batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new MigrationCliError(`--batch-size: '${options.batchSize}' is not a whole number from 1 to 10000`);
  }
  if (options.from === options.to && (options.fromUrl ?? '') === (options.toUrl ?? '')) {
    throw new MigrationCliError('--from and --to name the same provider and server: nothing to migrate');
  }
  if (options.from === 'memory' || options.to === 'memory') {
    process.stderr.write('note: the memory provider lives in this process only; its jobs vanish when the migration ends\n');
  }

  const logger = createLogger(
    {
      log: { level: 'warn', format: 'json' },
      provider: 'migrate-jobs',
      secretUrls: [options.fromUrl, options.toUrl, process.env.REDIS_URL, process.env.MONGODB_URL].filter((u) => u !== undefined),
    },
    process.stderr,
  );
  const opened: QueueProvider[] = [];
  try {
    const from = await openProvider('from', options.from, options.fromUrl, logger);
    opened.push(from);
    const to = await openProvider('to', options.to, options.toUrl, logger);
    opened.push(to);

    const progress = options.json ? undefined : progressDisplay(process.stderr, { dryRun: options.dryRun });
    const report = await migrateJobs(from, to, {
      ...(options.names === undefined ? {} : { names: list(options.names) }),
      states: states as JobState[],
      mode: options.mode,
      dryRun: options.dryRun,
      batchSize,
      ...(progress === undefined ? {} : { onProgress: (update) => progress.update(update) }),
    });
    progress?.end();

    if (options.json) {
      process.stdout.write(`${JSON.stringify({ from: options.from, to: options.to, ...report }, null, 2)}\n`);
    } else {
      const verb = options.dryRun ? 'Dry run (nothing written): would migrate' : options.mode === 'move' ? 'Moved' : 'Copied';
      process.stdout.write(`${verb} jobs from ${options.from} to ${options.to}\n\n${renderSummaryTable(report)}\n`);
      for (const job of report.activeLeftInPlace) process.stdout.write(`left in place (active): ${job.id} (${job.name})\n`);
      for (const failure of report.failures) process.stdout.write(`failed: ${failure.id} (${failure.name}): ${failure.reason}\n`);
      if (!options.dryRun) {
        process.stdout.write(report.complete ? '\nEvery selected job is on the target.\n' : '\nNOT every selected job is on the target: run again, or see the failures above.\n');
      }
    }
    return options.dryRun || report.complete ? 0 : 1;
  } finally {
    await Promise.all(opened.map((queue) => queue.close({ timeoutMs: 5000 }).catch(() => undefined)));
  }
}

function list(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MigrationCliError) {
      process.stderr.write(`migrate-jobs: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`migrate-jobs: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
