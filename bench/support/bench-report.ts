/**
 * The shape of a benchmark run's results (what `bench/results/latest.json` holds) and
 * its Markdown rendering (`bench/results/latest.md`). Every figure is the median of
 * its runs, with min and max.
 */
import { WRITES_PER_FLUSH } from '@switchyard/provider-bull';
import type { AGENDA_PROCESS_EVERY_MS } from './bench-backends.js';
import { BENCH_PROVIDERS, type BenchSettings } from './bench-settings.js';
import { RETENTION_LABELS, type BenchRetention } from './bench-retention.js';
import type { MachineInfo } from './machine-info.js';
import type { RetentionMemoryResult } from '../scenarios/retention-memory.js';
import type { RunSummary } from './summary-stats.js';

export interface ThroughputFigure {
  variant: string;
  /** What every job of the run was given (see `bench-retention.ts`). */
  retention: BenchRetention;
  jobs: number;
  concurrency: number;
  jobsPerSecond: RunSummary;
  /** All but the raw baseline: each run's jobs/s over the raw run of the same round. */
  ratioToRaw?: RunSummary;
  /** BullQueueProvider only: each run over raw Bull set up as the provider sets it up (job options, coalesced writes), in the same round. */
  ratioToRawSetUpAlike?: RunSummary;
  /** This build's providers, when a baseline build ran too: each run over the baseline build's run of the same round. */
  ratioToBaselineBuild?: RunSummary;
  /** The errors of runs that failed and were made again (the figure is of the runs that finished). */
  failedRuns?: string[];
}

export interface EnqueueFigure {
  variant: string;
  pattern: string;
  retention: BenchRetention;
  jobs: number;
  /** Adds in flight at once. */
  window: number;
  jobsPerSecond: RunSummary;
  ratioToRaw?: RunSummary;
  ratioToBaselineBuild?: RunSummary;
}

export interface TimelinessFigure {
  provider: string;
  jobs: number;
  spreadMs: number;
  leadMs: number;
  processEveryMs?: typeof AGENDA_PROCESS_EVERY_MS;
  /** Lateness percentiles in ms, each summarized over the runs. */
  p50: RunSummary;
  p95: RunSummary;
  p99: RunSummary;
  max: RunSummary;
  schedulingMs: RunSummary;
}

export interface MigrationFigure {
  from: string;
  to: string;
  jobs: number;
  jobsPerSecond: RunSummary;
  seconds: RunSummary;
  peakRssMiB: RunSummary;
}

export interface TargetVerdict {
  target: string;
  measured: string;
  /** `null` for a figure the targets state without a limit (with what bounds it). */
  met: boolean | null;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  /** The earlier build measured in the same rounds (`BENCH_BASELINE`), if one was. */
  baseline?: { ref: string; commit: string };
  durationSeconds: number;
  settings: BenchSettings;
  machine: MachineInfo;
  versions: Record<string, string>;
  servers: {
    /** `hz`: see `redisServerHz` (absent in results from before the BullMQ rows). */
    redis: { kind: string; version: string; hz?: number };
    mongodb: { kind: string };
    /** Absent in results from before the BullMQ rows. */
    postgres?: { kind: string; version: string };
  };
  throughput: ThroughputFigure[];
  enqueue: EnqueueFigure[];
  timeliness: TimelinessFigure[];
  migration: MigrationFigure[];
  /** Absent when the section was skipped (`BENCH_SKIP`). */
  retentionMemory?: RetentionMemoryResult;
  targets: TargetVerdict[];
}

const VARIANT_LABELS: Record<string, string> = {
  'raw-bull': 'raw Bull',
  'raw-bull-options': "raw Bull, the provider's job options",
  'raw-bull-coalesced': "raw Bull, the provider's job options and coalesced writes",
  bull: 'BullQueueProvider',
  'raw-agenda': 'raw Agenda',
  agenda: 'AgendaQueueProvider',
  memory: 'MemoryQueueProvider',
  'raw-bullmq-redis': 'raw BullMQ on Redis',
  'raw-bullmq-redis-options': "raw BullMQ on Redis, the provider's job options",
  'bullmq-redis': 'BullMQQueueProvider on Redis',
  'raw-bullmq-postgres': 'raw BullMQ on PostgreSQL',
  'raw-bullmq-postgres-options': "raw BullMQ on PostgreSQL, the provider's job options and pool sizes",
  'bullmq-postgres': 'BullMQQueueProvider on PostgreSQL',
};

/** `bull@baseline` is "BullQueueProvider at <commit>". */
function variantLabel(variant: string, baseline: BenchResults['baseline']): string {
  const [kind, which] = variant.split('@') as [string, string | undefined];
  const name = VARIANT_LABELS[kind] ?? kind;
  return which === undefined ? name : `${name} at ${baseline?.commit ?? which}`;
}
const whole = (value: number) => Math.round(value).toLocaleString('en-US');
const oneDecimal = (value: number) => value.toFixed(1);
const twoDecimals = (value: number) => value.toFixed(2);

/** "median (min–max)" */
function spread(summary: RunSummary, format: (value: number) => string): string {
  return `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What each provider's raw library set up alike is, in the note below. */
const SET_UP_ALIKE_LABELS: Record<string, string> = {
  bull: "BullQueueProvider over raw Bull with the provider's job options and coalesced writes",
  'bullmq-redis': "BullMQQueueProvider on Redis over raw BullMQ with the provider's job options",
  'bullmq-postgres': "BullMQQueueProvider on PostgreSQL over raw BullMQ with the provider's job options and pool sizes",
};

/** Each provider over its raw library set up alike: the provider's own cost, without the library's for the options (or the gain of coalesced writes). */
function setUpAlikeNote(figures: ThroughputFigure[]): string {
  const notes = Object.entries(SET_UP_ALIKE_LABELS).flatMap(([variant, what]) => {
    const lines = figures
      .filter((figure) => figure.variant === variant && figure.ratioToRawSetUpAlike !== undefined)
      .map((figure) => `${RETENTION_LABELS[figure.retention]} ${spread(figure.ratioToRawSetUpAlike!, twoDecimals)}`);
    return lines.length === 0 ? [] : [`${what} (the provider's own code, alone), round by round: ${lines.join('; ')}.`];
  });
  return notes.map((note) => `\n\n${note}`).join('');
}

/** How many rounds were left without the figure's run (it failed every time). */
function givenUp(figure: ThroughputFigure): string {
  const rounds = figure.jobsPerSecond.runs.filter((run) => !Number.isFinite(run)).length;
  return rounds === 0 ? '' : `, and ${rounds} round(s) left without its figure (it failed every time)`;
}

/** The runs a library failed and that were made again, with its errors: a figure of the runs that finished hides them otherwise. */
function failedRunsNote(figures: ThroughputFigure[], baseline: BenchResults['baseline']): string {
  const notes = figures.flatMap((figure) =>
    figure.failedRuns === undefined
      ? []
      : [
          `**${variantLabel(figure.variant, baseline)} (${RETENTION_LABELS[figure.retention]}) failed ${figure.failedRuns.length} run(s)**, each made again on fresh storage${givenUp(figure)}: ${[...new Set(figure.failedRuns)].map((message) => `"${message}"`).join('; ')}.`,
        ],
  );
  return notes.map((note) => `\n\n${note}`).join('');
}

/** Each provider of this build over the baseline build, throughput and enqueue, round by round. */
function baselineSection(results: BenchResults): string | undefined {
  const { baseline } = results;
  if (baseline === undefined) return undefined;
  const label = (variant: string) => variantLabel(variant, baseline);
  const row = (figure: ThroughputFigure | EnqueueFigure, what: string, before: typeof figure | undefined) =>
    figure.ratioToBaselineBuild === undefined
      ? []
      : [
          [
            label(figure.variant),
            what,
            figure.ratioToRaw === undefined ? '' : spread(figure.ratioToRaw, twoDecimals),
            before?.ratioToRaw === undefined ? '' : spread(before.ratioToRaw, twoDecimals),
            spread(figure.ratioToBaselineBuild, twoDecimals),
          ],
        ];
  const baselineOf = (variant: string) => `${variant}@baseline`;
  const rows = [
    ...results.throughput.flatMap((figure) =>
      row(
        figure,
        'throughput',
        results.throughput.find((other) => other.variant === baselineOf(figure.variant)),
      ),
    ),
    ...results.enqueue.flatMap((figure) =>
      row(
        figure,
        `enqueue, ${figure.pattern}`,
        results.enqueue.find(
          (other) => other.variant === baselineOf(figure.variant) && other.pattern === figure.pattern,
        ),
      ),
    ),
  ];
  return `## 6. Against the providers at ${baseline.commit}

\`BENCH_BASELINE=${baseline.ref}\` built the providers as they were at ${baseline.commit} and ran them as further variants in the same throughput and enqueue rounds as everything above (same servers, same process, same load). The last column is each run of this build over that build's run of the same round: the change's own cost, which two separate benchmark runs cannot show, since one run's ratio to its raw library differs from the next run's by more than that.

${table(['Provider', 'Figure', 'Now over raw', `At ${baseline.commit} over raw`, `Now over ${baseline.commit}`], rows)}`;
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, versions, servers, settings } = results;
  const label = (variant: string) => variantLabel(variant, results.baseline);
  const sections: string[] = [];
  sections.push(`# Switchyard benchmarks

Generated ${results.generatedAt} by \`${results.command}\` in ${Math.round(results.durationSeconds / 60)} min.${
    settings.skip.length === 0
      ? ''
      : ` **Sections left out of this run: ${settings.skip.join(', ')}** (their tables are empty).`
  }${
    settings.providers === undefined || settings.providers.length === BENCH_PROVIDERS.length
      ? ''
      : ` **Providers measured: ${settings.providers.join(', ')}** (the others' rows and targets are absent).`
  }
Each figure is the **median of ${settings.runs} runs** (Bull, BullMQ and Agenda throughput, and every enqueue figure: ${settings.throughput.ratioRuns ?? settings.runs}, fewer where the Runs column says so) with (min–max); variants compared with each other ran alternately, every other round in reverse order (raw, provider, provider, raw, ...), each run on fresh storage.

- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, ${machine.platform}; load average ${machine.loadAverageAtStart} at start (other work shared the machine).
- Versions: Node ${versions.node}, bull ${versions.bull}, bullmq ${versions.bullmq}, ioredis ${versions.ioredis}, pg ${versions.pg}, agenda ${versions.agenda}, @agendajs/mongo-backend ${versions['@agendajs/mongo-backend']}, mongodb driver ${versions.mongodb}.
- Servers: Redis ${servers.redis.version} (${servers.redis.kind}${servers.redis.hz === undefined ? '' : `, hz ${servers.redis.hz}`}); MongoDB: **${servers.mongodb.kind}**${
    servers.mongodb.kind === 'wire-server'
      ? ' (the MongoDB wire-protocol test server, in a process of its own: it answers every query in JavaScript, so Agenda figures are bounded by it and are far below what a mongod gives)'
      : ''
  }${
    servers.postgres === undefined
      ? ''
      : `; PostgreSQL ${servers.postgres.version} (${servers.postgres.kind === 'pg_ctl' ? "a cluster of the run's own, fsync off" : servers.postgres.kind})`
  }.`);

  sections.push(`## Targets

${table(
  ['Target', 'Measured', 'Met'],
  results.targets.map((verdict) => [
    verdict.target,
    verdict.measured,
    verdict.met === null ? 'stated' : verdict.met ? 'yes' : '**no**',
  ]),
)}`);

  sections.push(`## 1. Throughput, add + process

Jobs added in windows of ${settings.throughput.addWindow} concurrent adds to a started worker (no-op processor); from the first add to the last completion. One process. Ratio: each run over the raw run of the same round; each group starts with one unrecorded warm-up run of each variant. "raw Bull, the provider's job options" is raw Bull given what the provider gives each job (its own id, priority 5, 3 attempts: the contract's defaults); "and coalesced writes" adds what the provider does with its command connection: the first command of a turn of the event loop goes to Redis at once and the rest of the turn's in writes of up to ${WRITES_PER_FLUSH} (\`coalesceWrites\`), where ioredis makes one write per command. Raw Bull does not do that by default. The three steps tell what the options cost Bull, what the coalesced writes save, and what the provider's own code costs. Each retention setting is a group of its own, raw library and provider given the same (Bull's \`removeOnComplete: true\` / \`1000\`; Agenda's definition option \`removeOnComplete: true\`, and for 1000 nothing, as Agenda has no count, so raw Agenda keeps every job there). Raw Agenda runs with the provider's settings (processEvery, lock lifetime, per-name concurrency and lock limit ${settings.throughput.concurrency}, an in-process notification channel). Raw BullMQ runs on each backend the provider runs on: as a service sets it up (a \`Queue\` and a \`Worker\` from 'bullmq'; on PostgreSQL through \`withBackend(createPostgresBackend)\`, a schema per run), and with the provider's job options (its own id, priority 5, 3 attempts; on PostgreSQL also the provider's pool sizes), given BullMQ's \`removeOnComplete\` as Bull's is.${
    settings.throughput.postgresJobs < settings.throughput.jobs
      ? ` **BullMQ on PostgreSQL uses ${settings.throughput.postgresJobs.toLocaleString('en-US')} jobs** (see bench-settings.ts): every add, claim and completion there is a transaction.`
      : ''
  }${
    settings.throughput.agendaJobs < settings.throughput.jobs
      ? ` **Agenda figures use ${settings.throughput.agendaJobs.toLocaleString('en-US')} jobs, not ${settings.throughput.jobs.toLocaleString('en-US')}**: the wire test server manages a few hundred jobs per second at best, and answers Agenda's lock queries by scanning the collection, so runs slow down as jobs pile up.`
      : ''
  }

${table(
  ['Variant', 'Retention', 'Jobs', 'Concurrency', 'Runs', 'jobs/s', 'Over raw'],
  results.throughput.map((figure) => [
    label(figure.variant),
    RETENTION_LABELS[figure.retention],
    whole(figure.jobs),
    String(figure.concurrency),
    String(figure.jobsPerSecond.runs.length),
    spread(figure.jobsPerSecond, whole),
    figure.ratioToRaw === undefined ? '' : spread(figure.ratioToRaw, twoDecimals),
  ]),
)}${setUpAlikeNote(results.throughput)}${failedRunsNote(results.throughput, results.baseline)}`);

  sections.push(`## 2. Enqueue only

\`scheduleJob\` (raw: \`queue.add\` / \`agenda.now\`) with no worker: one at a time (each awaited), or in windows of ${settings.enqueue.batchWindow} concurrent calls. Raw Bull here has Bull's default connections: the batched calls of BullQueueProvider go to Redis ${WRITES_PER_FLUSH} to a write (see above), raw Bull's in one write each. Raw BullMQ is a \`Queue\` set up as a service sets it up, with BullMQ's default job options; BullMQQueueProvider claims an id a caller chose in its directory before BullMQ adds the job (a round trip of its own), on either backend; the bench's jobs have generated ids, which cost no claim.

${table(
  ['Variant', 'Pattern', 'Retention', 'Jobs', 'jobs/s', 'Provider / raw'],
  results.enqueue.map((figure) => [
    label(figure.variant),
    figure.pattern,
    RETENTION_LABELS[figure.retention],
    whole(figure.jobs),
    spread(figure.jobsPerSecond, whole),
    figure.ratioToRaw === undefined ? '' : spread(figure.ratioToRaw, twoDecimals),
  ]),
)}`);

  const timeliness = results.timeliness[0];
  sections.push(`## 3. Timeliness

${timeliness === undefined ? '' : `${whole(timeliness.jobs)} jobs due at known instants spread evenly over ${timeliness.spreadMs / 1000} s (the first ${timeliness.leadMs / 1000} s after scheduling began), concurrency ${settings.timeliness.concurrency}; lateness = processor start − due instant, in ms.`}${
    results.timeliness.some((figure) => figure.provider.startsWith('bullmq'))
      ? ` A BullMQ worker on Redis waits for its next delayed job with a blocking pop, whose timeout Redis serves ${servers.redis.hz === undefined ? 'at its `hz`' : `${servers.redis.hz} times a second (\`hz\`), so up to ${Math.round(1000 / servers.redis.hz)} ms late`}; on PostgreSQL it sleeps on a timer to the next due time, then promotes and claims the job in SQL.`
      : ''
  }

${table(
  ['Provider', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'Scheduling took ms'],
  results.timeliness.map((figure) => [
    `${label(figure.provider)}${figure.processEveryMs === undefined ? '' : ` (processEvery ${figure.processEveryMs} ms)`}`,
    spread(figure.p50, whole),
    spread(figure.p95, whole),
    spread(figure.p99, whole),
    spread(figure.max, whole),
    spread(figure.schedulingMs, whole),
  ]),
)}`);

  sections.push(`## 4. Migration

Scheduled jobs copied with \`migrateJobs\` (mode copy, batch 500, every id verified on the target), each run in a child process of its own onto fresh storage; time from the first export to the last verification; peak RSS of that child.

${table(
  ['Pair', 'Jobs', 'jobs/s', 'Seconds', 'Peak RSS MiB'],
  results.migration.map((figure) => [
    `${figure.from} → ${figure.to}`,
    whole(figure.jobs),
    spread(figure.jobsPerSecond, whole),
    spread(figure.seconds, oneDecimal),
    spread(figure.peakRssMiB, whole),
  ]),
)}`);

  const kept = results.retentionMemory;
  if (kept !== undefined)
    sections.push(`## 5. Retention in Redis

${whole(kept.jobs)} jobs of one name through BullQueueProvider, each with its own id (claimed in the provider's id index) and \`removeOnComplete: ${kept.keep}\`, concurrency 50, in ${oneDecimal(kept.seconds)} s; then what is left under the run's prefix, counted key by key.

${table(
  ['Completed set (ZCARD)', 'Job hashes', 'Id index entries (HLEN)'],
  [[whole(kept.completedSetSize), whole(kept.jobHashes), whole(kept.indexEntries)]],
)}`);

  const againstBaseline = baselineSection(results);
  if (againstBaseline !== undefined) sections.push(againstBaseline);

  return `${sections.join('\n\n')}\n`;
}
