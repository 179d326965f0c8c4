/**
 * `switchyard migrate`: moves jobs between providers with nothing lost and nothing
 * doubled; `switchyard migrate --help` explains every flag.
 *
 * Exit codes: 0 every selected job is on the target; 1 some could not be migrated (see
 * the table and the failures); 2 bad input or an unreachable server, nothing touched,
 * or a server that failed mid-run (running it again carries on where it stopped).
 */
import { Option, type Command } from 'commander';
import { JOB_STATES, migrateJobs, type QueueProvider } from '@switchyard/core';
import { createLogger, PROVIDER_NAMES, type Environment } from '@switchyard/container';
import { CliError } from '../cli-error.js';
import { defineAction, type ReportOutcome } from '../command-action.js';
import { writeJson } from '../json-output.js';
import { openSide, refuseSharedRedisKeys, resolveSide } from '../migration/open-provider.js';
import { progressDisplay } from '../migration/progress-display.js';
import { renderSummaryTable } from '../migration/summary-table.js';
import { collectionName, commaList, listOf, wholeNumber } from '../option-values.js';

const MIGRATABLE_STATES = JOB_STATES.filter((state) => state !== 'active');
const DEFAULT_STATES = ['scheduled', 'waiting', 'failed'] as const;

interface MigrateOptions {
  from: string;
  to: string;
  fromUrl?: string;
  toUrl?: string;
  fromCollection?: string;
  toCollection?: string;
  fromPrefix?: string;
  toPrefix?: string;
  fromSchema?: string;
  toSchema?: string;
  names?: string[];
  states: (typeof MIGRATABLE_STATES)[number][];
  mode: 'copy' | 'move';
  dryRun?: boolean;
  batchSize: number;
  json?: boolean;
}

export function addMigrateCommand(parent: Command, report: ReportOutcome): void {
  const command = parent
    .command('migrate')
    .summary('move or copy jobs from one provider to another')
    .description(
      'Move or copy jobs from one Switchyard provider to another. Copies, verifies by id, then (move) deletes from the source; ' +
        'safe to run again after an interruption.',
    )
    .addOption(new Option('--from <provider>', 'source provider').choices([...PROVIDER_NAMES]).makeOptionMandatory())
    .addOption(new Option('--to <provider>', 'target provider').choices([...PROVIDER_NAMES]).makeOptionMandatory())
    .option(
      '--from-url <url>',
      'source connection URL (default: REDIS_URL, MONGODB_URL or DATABASE_URL, as the container reads them); ' +
        'for bullmq, a postgres:// URL selects BULLMQ_BACKEND=postgres and a redis:// one redis',
    )
    .option('--to-url <url>', 'target connection URL (default: as for --from-url)')
    .option(
      '--from-collection <name>',
      "source's Agenda collection (default: QUEUE_COLLECTION, else agenda_jobs; plain Agenda's own default is agendaJobs)",
      collectionName,
    )
    .option(
      '--to-collection <name>',
      "target's Agenda collection (default: QUEUE_COLLECTION, else agenda_jobs)",
      collectionName,
    )
    .option(
      '--from-prefix <prefix>',
      "bull or bullmq-on-Redis source: the Redis key prefix (plain Bull's and plain BullMQ's default is 'bull'); also ?prefix= in --from-url (default: QUEUE_PREFIX)",
    )
    .option('--to-prefix <prefix>', 'bull or bullmq-on-Redis target: the Redis key prefix, as for --from-prefix')
    .option(
      '--from-schema <schema>',
      'bullmq-on-PostgreSQL source: the schema of its tables; also ?schema= in --from-url (default: BULLMQ_SCHEMA, else switchyard)',
    )
    .option('--to-schema <schema>', 'bullmq-on-PostgreSQL target: the schema, as for --from-schema')
    .option('--names <names>', 'only these job names, comma-separated (default: every name)', commaList)
    .addOption(
      new Option('--states <states>', `only jobs in these states, comma-separated: ${MIGRATABLE_STATES.join(', ')}`)
        .argParser(listOf(MIGRATABLE_STATES, 'state'))
        .default([...DEFAULT_STATES], DEFAULT_STATES.join(',')),
    )
    .addOption(
      new Option('--mode <mode>', 'copy leaves the source as it was; move deletes what arrived')
        .choices(['copy', 'move'])
        .default('copy'),
    )
    .option('--dry-run', 'read the source and print what would happen; write nothing')
    .addOption(
      new Option('--batch-size <n>', 'snapshots per import batch').argParser(wholeNumber(1, 10_000)).default(500),
    )
    .option('--json', 'print the report as JSON instead of a table')
    .addHelpText(
      'after',
      `
Examples:
  switchyard migrate --from bull --to agenda --dry-run
  switchyard migrate --from bull --to agenda --mode move --names booking-reminder,payment-reminder
  switchyard migrate --from agenda --to bull --from-url mongodb://db:27017/app --to-url redis://cache:6379 --json
  switchyard migrate --from agenda --from-collection agendaJobs --to agenda --mode move
  switchyard migrate --from bull --from-url redis://cache:6379 --from-prefix bull --to agenda
  switchyard migrate --from bull --to bullmq --to-prefix switchyard-mq --mode move
  switchyard migrate --from bullmq --from-url redis://cache:6379 --to bullmq --to-url postgres://app@db:5432/app --to-schema jobs

Progress goes to stderr (a bar on a terminal, plain lines otherwise), the
report to stdout. Exit codes: 0 every selected job is on the target; 1 some
were not migrated; 2 bad input, an unreachable server (nothing touched) or a
server failing mid-run (run it again: it carries on where it stopped).`,
    );

  defineAction(command, report, async ({ env, secretUrls }) => {
    const options = command.opts<MigrateOptions>();
    secretUrls.push(...[options.fromUrl, options.toUrl].filter((url) => url !== undefined));
    for (const side of ['from', 'to'] as const) {
      if (sideCollection(options, side) !== undefined && options[side] !== 'agenda') {
        throw new CliError(`--${side}-collection applies to --${side} agenda only`);
      }
    }
    if (
      options.from === options.to &&
      (options.fromUrl ?? '') === (options.toUrl ?? '') &&
      (options.fromCollection ?? '') === (options.toCollection ?? '') &&
      (options.fromPrefix ?? '') === (options.toPrefix ?? '') &&
      (options.fromSchema ?? '') === (options.toSchema ?? '')
    ) {
      throw new CliError('--from and --to name the same provider and server: nothing to migrate');
    }
    if (options.from === 'memory' || options.to === 'memory') {
      process.stderr.write(
        'note: the memory provider lives in this process only; its jobs vanish when the migration ends\n',
      );
    }

    const logger = createLogger(
      { log: { level: 'warn', format: 'json' }, provider: 'migrate', secretUrls },
      process.stderr,
    );
    const opened: QueueProvider[] = [];
    try {
      const fromSide = resolveSide(
        'from',
        options.from,
        { url: options.fromUrl, prefix: options.fromPrefix, schema: options.fromSchema },
        sideEnv(env, options, 'from'),
      );
      const toSide = resolveSide(
        'to',
        options.to,
        { url: options.toUrl, prefix: options.toPrefix, schema: options.toSchema },
        sideEnv(env, options, 'to'),
      );
      refuseSharedRedisKeys(fromSide, toSide);
      const from = await openSide(fromSide, logger);
      opened.push(from);
      const to = await openSide(toSide, logger);
      opened.push(to);

      const progress = options.json ? undefined : progressDisplay(process.stderr, { dryRun: options.dryRun === true });
      const migration = migrateJobs(from, to, {
        ...(options.names === undefined ? {} : { names: options.names }),
        states: options.states,
        mode: options.mode,
        dryRun: options.dryRun === true,
        batchSize: options.batchSize,
        ...(progress === undefined ? {} : { onProgress: (update) => progress.update(update) }),
      });
      // The progress bar's line must end before an error line is printed after it.
      const result = await migration.finally(() => progress?.end());

      if (options.json) {
        writeJson({ from: options.from, to: options.to, ...result });
      } else {
        const verb = options.dryRun
          ? 'Dry run (nothing written): would migrate'
          : options.mode === 'move'
            ? 'Moved'
            : 'Copied';
        process.stdout.write(`${verb} jobs from ${options.from} to ${options.to}\n\n${renderSummaryTable(result)}\n`);
        for (const job of result.activeLeftInPlace)
          process.stdout.write(`left in place (active): ${job.id} (${job.name})\n`);
        for (const failure of result.failures)
          process.stdout.write(`failed: ${failure.id} (${failure.name}): ${failure.reason}\n`);
        if (result.deletionStopped !== null) {
          const { missingOnTarget, leftOnSource } = result.deletionStopped;
          process.stdout.write(
            `\nDeletion stopped: ${missingOnTarget} jobs verified on the target were gone from it when their turn came; ` +
              `${leftOnSource} jobs were left on the source. The target lost writes it had acknowledged: check its durability, then run again.\n`,
          );
        }
        if (!options.dryRun) {
          process.stdout.write(
            result.complete
              ? '\nEvery selected job is on the target.\n'
              : '\nNOT every selected job is on the target: run again, or see the failures above.\n',
          );
        }
      }
      return options.dryRun || result.complete ? 0 : 1;
    } finally {
      await Promise.all(opened.map((queue) => queue.close({ timeoutMs: 5000 }).catch(() => undefined)));
    }
  });
}

function sideCollection(options: MigrateOptions, side: 'from' | 'to'): string | undefined {
  return side === 'from' ? options.fromCollection : options.toCollection;
}

/** The environment one side opens its provider with: `--<side>-collection` in place of `QUEUE_COLLECTION`. */
function sideEnv(env: Environment, options: MigrateOptions, side: 'from' | 'to'): Environment {
  const collection = sideCollection(options, side);
  return collection === undefined ? env : { ...env, QUEUE_COLLECTION: collection };
}
