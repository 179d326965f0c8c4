/**
 * `npm run bench`: every benchmark against the harness servers (a redis-server of its
 * own, MongoDB by the harness's ladder: MONGODB_URL, a local mongod, else the
 * wire-protocol test server in a child process, and a PostgreSQL cluster of its own or
 * DATABASE_URL), alternating the variants run by run so that
 * load from elsewhere on the machine falls on all of them alike. Prints a table and
 * writes `bench/results/<name>.json` and `.md` (see `bench-settings.ts` for `<name>`).
 *
 * BENCH_SCALE=0.05 shrinks every job count (a smoke run); BENCH_RUNS sets the runs
 * per figure (default 5). BENCH_BASELINE=<git ref> also builds the providers as they
 * were at that ref and runs them in the same throughput and enqueue rounds
 * (`support/baseline-build.ts`), so a change's cost is measured against the code
 * it changed, not against another day's run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_PROVIDERS, benchSettings, providerOfBenchVariant, type BenchSection } from './support/bench-settings.js';
import { prepareBaselineBuild, type BaselineBuild } from './support/baseline-build.js';
import { BENCH_RETENTIONS, RETENTION_LABELS, type BenchRetention } from './support/bench-retention.js';
import {
  startBenchServers,
  AGENDA_PROCESS_EVERY_MS,
  type BenchServers,
  type ProviderVariant,
} from './support/bench-backends.js';
import { machineInfo, packageVersions, redisServerHz, redisServerVersion } from './support/machine-info.js';
import { postgresServerVersion } from './support/bench-postgres.js';
import { summarize } from './support/summary-stats.js';
import {
  renderMarkdown,
  type BenchResults,
  type MigrationFigure,
  type ThroughputFigure,
  type EnqueueFigure,
  type TimelinessFigure,
} from './support/bench-report.js';
import { evaluateTargets } from './support/bench-targets.js';
import { runThroughput, type ThroughputVariant } from './scenarios/throughput.js';
import { runEnqueue, type EnqueuePattern, type EnqueueVariant } from './scenarios/enqueue.js';
import { runTimeliness, type TimelinessResult } from './scenarios/timeliness.js';
import { runRetentionMemory, type RetentionMemoryResult } from './scenarios/retention-memory.js';
import {
  runMigrationInChild,
  seedMigrationSource,
  type MigrationEnd,
  type MigrationPair,
} from './scenarios/migration.js';
import type { ProviderKind } from './support/bench-backends.js';

const settings = benchSettings();
const startedAt = Date.now();
const log = (message: string) =>
  console.log(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/** A variant's job count: Agenda, BullMQ on PostgreSQL and memory have their own (see bench-settings.ts), the rest `otherwise`. */
function jobCountOf(
  variant: string,
  counts: { agendaJobs: number; postgresJobs: number; memoryJobs: number },
  otherwise: number,
): number {
  const provider = providerOfBenchVariant(variant);
  if (provider === 'agenda') return counts.agendaJobs;
  if (provider === 'bullmq-postgres') return counts.postgresJobs;
  return provider === 'memory' ? counts.memoryJobs : otherwise;
}

/** True when the run measures the provider of `variant` (`BENCH_PROVIDERS`). */
function measures(variant: string): boolean {
  return settings.providers.includes(providerOfBenchVariant(variant));
}

/**
 * Runs `variants` in turn, `runs` times, every other round in reverse order (a, b, c,
 * c, b, a, a, b, c, ...): every variant's values, in run order. A fixed order would
 * give whatever a run's position brings (the run before it leaves a warm server, or a
 * dropped database still being reclaimed) to the same variant every round.
 */
async function alternate<V extends string, R>(
  variants: readonly V[],
  run: (variant: V, index: number) => Promise<R>,
  runs = settings.runs,
): Promise<Map<V, R[]>> {
  const values = new Map<V, R[]>(variants.map((variant) => [variant, []]));
  for (let index = 0; index < runs; index += 1) {
    const order = index % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) values.get(variant)!.push(await run(variant, index));
  }
  return values;
}

/** Each run's value over the value of the `baseline` run of the same round (the two saw the same load). */
function ratiosTo<V extends string>(values: Map<V, number[]>, variant: V, baseline: V) {
  const baselineRuns = values.get(baseline)!;
  return summarize(values.get(variant)!.map((value, index) => value / baselineRuns[index]!));
}

/** The variants of this build's providers and, when a baseline build is measured, theirs after them. */
function withBaseline<V extends string>(variants: V[], baseline: BaselineBuild | undefined): (V | ProviderVariant)[] {
  if (baseline === undefined) return variants;
  const providers = variants.filter((variant) => variant === 'bull' || variant === 'agenda' || variant === 'memory');
  return [...variants, ...providers.map((variant) => `${variant}@baseline` as ProviderVariant)];
}

/** The raw library a variant is compared with (`raw-bull` for `bull` and `bull@baseline`, `raw-bullmq-redis` for `bullmq-redis`), if it has one. */
function rawOf(variant: string): string | undefined {
  const kind = variant.split('@')[0] ?? '';
  return ['bull', 'agenda', 'bullmq-redis', 'bullmq-postgres'].includes(kind) ? `raw-${kind}` : undefined;
}

/** The raw variant set up as the provider sets itself up, for the providers that have one. */
const RAW_SET_UP_ALIKE: Partial<Record<string, ThroughputVariant>> = {
  bull: 'raw-bull-coalesced',
  'bullmq-redis': 'raw-bullmq-redis-options',
  'bullmq-postgres': 'raw-bullmq-postgres-options',
};

/** Times a throughput run is made before the round is left without its figure. */
const MAX_RUN_ATTEMPTS = 5;

async function throughputFigures(
  servers: BenchServers,
  baseline: BaselineBuild | undefined,
): Promise<ThroughputFigure[]> {
  const { jobs, concurrency, addWindow, ratioRuns } = settings.throughput;
  const jobsOf = (variant: ThroughputVariant) => jobCountOf(variant, settings.throughput, jobs);
  const timeoutMs = 15 * 60_000;
  // The first of each group is the raw baseline the others are compared with. Each
  // retention setting is a group of its own (raw and provider given the same); the
  // earlier build runs in the keep-all groups only, as it knew no counts.
  const groups: { variants: ThroughputVariant[]; runs: number; retention: BenchRetention }[] = [
    {
      variants: withBaseline(['raw-bull', 'raw-bull-options', 'raw-bull-coalesced', 'bull'], baseline),
      runs: ratioRuns,
      retention: 'keep-all',
    },
    { variants: ['raw-bull', 'raw-bull-coalesced', 'bull'], runs: ratioRuns, retention: 'remove' },
    { variants: ['raw-bull', 'raw-bull-coalesced', 'bull'], runs: ratioRuns, retention: 'keep-1000' },
    ...BENCH_RETENTIONS.flatMap((retention) =>
      (['redis', 'postgres'] as const).map((backend) => ({
        variants: [
          `raw-bullmq-${backend}`,
          `raw-bullmq-${backend}-options`,
          `bullmq-${backend}`,
        ] as ThroughputVariant[],
        runs: ratioRuns,
        retention,
      })),
    ),
    { variants: withBaseline(['raw-agenda', 'agenda'], baseline), runs: ratioRuns, retention: 'keep-all' },
    { variants: ['raw-agenda', 'agenda'], runs: ratioRuns, retention: 'remove' },
    { variants: ['raw-agenda', 'agenda'], runs: ratioRuns, retention: 'keep-1000' },
    {
      variants: withBaseline(['memory'], baseline),
      runs: baseline === undefined ? settings.runs : ratioRuns,
      retention: 'keep-all',
    },
  ];
  const figures: ThroughputFigure[] = [];
  for (const { variants, runs, retention } of groups.filter((group) => measures(group.variants[0]!))) {
    const failures = new Map<ThroughputVariant, string[]>();
    const measure = async (variant: ThroughputVariant, jobCount: number, what: string): Promise<number> => {
      for (let attempt = 1; ; attempt += 1) {
        log(`throughput ${variant} (${RETENTION_LABELS[retention]}) ${what} (${jobCount} jobs)`);
        try {
          const result = await runThroughput(
            variant,
            servers,
            { jobs: jobCount, concurrency, addWindow, timeoutMs, retention },
            baseline?.providers,
          );
          return result.jobsPerSecond;
        } catch (error) {
          // A library's own failure (raw BullMQ's count retention on PostgreSQL meets
          // deadlocks) is a result too: recorded, and the run made again on fresh storage.
          const message = error instanceof Error ? error.message : String(error);
          failures.set(variant, [...(failures.get(variant) ?? []), message]);
          if (attempt === MAX_RUN_ATTEMPTS) {
            // No figure for this round: the round's ratios leave it out.
            log(`throughput ${variant} ${what} failed ${attempt} times (${message}); no figure for this round`);
            return Number.NaN;
          }
          log(`throughput ${variant} ${what} failed (${message}); running it again`);
        }
      }
    };
    // One unrecorded run of each at a tenth of the size first: the first runs in a
    // process pay for loading and compiling the code, and would favour whoever ran second.
    for (const variant of variants) await measure(variant, Math.max(1, Math.round(jobsOf(variant) / 10)), 'warm-up');
    const values = await alternate(
      variants,
      (variant, index) => measure(variant, jobsOf(variant), `run ${index + 1}/${runs}`),
      runs,
    );
    for (const variant of variants) {
      const figure: ThroughputFigure = {
        variant,
        retention,
        jobs: jobsOf(variant),
        concurrency,
        jobsPerSecond: summarize(values.get(variant)!),
      };
      const raw = variant.startsWith('raw-') ? variants[0] : rawOf(variant);
      if (raw !== undefined && raw !== variant) figure.ratioToRaw = ratiosTo(values, variant, raw as ThroughputVariant);
      const alike = RAW_SET_UP_ALIKE[variant];
      if (alike !== undefined) figure.ratioToRawSetUpAlike = ratiosTo(values, variant, alike);
      const before = `${variant}@baseline` as ThroughputVariant;
      if (values.has(before)) figure.ratioToBaselineBuild = ratiosTo(values, variant, before);
      const failed = failures.get(variant);
      if (failed !== undefined) figure.failedRuns = failed;
      figures.push(figure);
    }
  }
  return figures;
}

async function enqueueFigures(servers: BenchServers, baseline: BaselineBuild | undefined): Promise<EnqueueFigure[]> {
  const { oneAtATimeJobs, batchedJobs, batchWindow, runs } = settings.enqueue;
  const patterns: EnqueuePattern[] = ['one-at-a-time', 'batched'];
  const withRaw: EnqueueVariant[] = [
    'raw-bull',
    'bull',
    'raw-agenda',
    'agenda',
    'raw-bullmq-redis',
    'bullmq-redis',
    'raw-bullmq-postgres',
    'bullmq-postgres',
  ];
  // Keep-all for every variant; the other retention settings for those with a raw library, raw and provider.
  const variantsOf = (retention: BenchRetention): EnqueueVariant[] =>
    retention === 'keep-all' ? withBaseline([...withRaw, 'memory'], baseline) : withRaw;
  const jobsOf = (variant: EnqueueVariant, pattern: EnqueuePattern) =>
    jobCountOf(variant, settings.enqueue, pattern === 'batched' ? batchedJobs : oneAtATimeJobs);
  const cells = BENCH_RETENTIONS.flatMap((retention) =>
    variantsOf(retention)
      .filter(measures)
      .flatMap((variant) => patterns.map((pattern) => `${variant}|${pattern}|${retention}` as const)),
  );
  const parse = (cell: string) => cell.split('|') as [EnqueueVariant, EnqueuePattern, BenchRetention];
  const values = await alternate(
    cells,
    (cell, index) => {
      const [variant, pattern, retention] = parse(cell);
      const jobs = jobsOf(variant, pattern);
      log(`enqueue ${variant} ${pattern} (${RETENTION_LABELS[retention]}) run ${index + 1}/${runs} (${jobs} jobs)`);
      return runEnqueue(
        variant,
        pattern,
        servers,
        { jobs, batchWindow, timeoutMs: 15 * 60_000, retention },
        baseline?.providers,
      );
    },
    runs,
  );
  return cells.map((cell) => {
    const [variant, pattern, retention] = parse(cell);
    const figure: EnqueueFigure = {
      variant,
      pattern,
      retention,
      jobs: jobsOf(variant, pattern),
      window: pattern === 'batched' ? batchWindow : 1,
      jobsPerSecond: summarize(values.get(cell)!),
    };
    const overRunsOf = (other: string) => {
      const baselineRuns = values.get(`${other}|${pattern}|${retention}` as typeof cell);
      return baselineRuns && summarize(values.get(cell)!.map((value, index) => value / baselineRuns[index]!));
    };
    const raw = rawOf(variant);
    if (raw !== undefined) figure.ratioToRaw = overRunsOf(raw);
    const before = overRunsOf(`${variant}@baseline`);
    if (before !== undefined) figure.ratioToBaselineBuild = before;
    return figure;
  });
}

async function timelinessFigures(servers: BenchServers): Promise<TimelinessFigure[]> {
  const { jobs, spreadMs, leadMs, concurrency } = settings.timeliness;
  const providers = (['bull', 'agenda', 'memory', 'bullmq-redis', 'bullmq-postgres'] as ProviderKind[]).filter(
    measures,
  );
  const values = await alternate(providers, (provider, index) => {
    log(`timeliness ${provider} run ${index + 1}/${settings.runs} (${jobs} jobs over ${spreadMs / 1000} s)`);
    return runTimeliness(provider, servers, { jobs, spreadMs, leadMs, concurrency, graceMs: 5 * 60_000 });
  });
  return providers.map((provider) => {
    const runs = values.get(provider)!;
    const of = (key: keyof TimelinessResult) => summarize(runs.map((run) => run[key]));
    return {
      provider,
      jobs,
      spreadMs,
      leadMs,
      ...(provider === 'agenda' ? { processEveryMs: AGENDA_PROCESS_EVERY_MS } : {}),
      p50: of('p50'),
      p95: of('p95'),
      p99: of('p99'),
      max: of('max'),
      schedulingMs: of('schedulingMs'),
    };
  });
}

async function migrationFigures(servers: BenchServers): Promise<MigrationFigure[]> {
  const { jobs } = settings.migration;
  const pairs = (
    [
      { from: 'bull', to: 'agenda' },
      { from: 'agenda', to: 'bull' },
      { from: 'bull', to: 'memory' },
      { from: 'bull', to: 'bullmq' },
    ] satisfies MigrationPair[]
  )
    // A migration row is its target's: the source is only where the jobs come from.
    .filter((pair) => measures(pair.to === 'bullmq' ? 'bullmq-redis' : pair.to));
  const sources = new Map<MigrationPair['from'], Awaited<ReturnType<typeof seedMigrationSource>>>();
  try {
    for (const from of new Set(pairs.map((pair) => pair.from))) {
      log(`migration: seeding ${jobs} scheduled jobs into ${from}`);
      const source = await seedMigrationSource(from, servers, jobs);
      sources.set(from, source);
      log(`migration: seeded ${from} in ${(source.seedMs / 1000).toFixed(1)} s`);
    }
    const labels = pairs.map((pair) => `${pair.from}->${pair.to}` as const);
    const values = await alternate(labels, (label, index) => {
      const [from, to] = label.split('->') as [MigrationPair['from'], MigrationEnd];
      log(`migration ${label} run ${index + 1}/${settings.runs} (${jobs} jobs, in a child process)`);
      // BENCH_MIGRATION_CPU_PROFILE=<dir>: each child writes a V8 CPU profile there (node --cpu-prof).
      const cpuProfileDir = process.env.BENCH_MIGRATION_CPU_PROFILE || undefined;
      return runMigrationInChild(sources.get(from)!, to, servers, { timeoutMs: 30 * 60_000, cpuProfileDir });
    });
    return pairs.map((pair, index) => {
      const runs = values.get(labels[index]!)!;
      return {
        from: pair.from,
        to: pair.to,
        jobs,
        jobsPerSecond: summarize(runs.map((run) => run.jobsPerSecond)),
        seconds: summarize(runs.map((run) => run.elapsedMs / 1000)),
        peakRssMiB: summarize(runs.map((run) => run.peakRssMiB)),
      };
    });
  } finally {
    for (const source of sources.values()) await source.drop();
  }
}

const baselineRef = process.env.BENCH_BASELINE;
let baseline: BaselineBuild | undefined;
if (baselineRef !== undefined && baselineRef !== '') {
  log(`building the providers as they were at ${baselineRef}`);
  baseline = await prepareBaselineBuild(baselineRef);
  log(`baseline build: ${baseline.commit}`);
}
const servers = await startBenchServers();
let results: BenchResults;
try {
  const machine = machineInfo();
  log(
    `${settings.resultsName} run: scale ${settings.scale}, ${settings.runs} runs per figure, MongoDB: ${servers.mongoKind}`,
  );
  const runs = (section: BenchSection) => !settings.skip.includes(section);
  const throughput = runs('throughput') ? await throughputFigures(servers, baseline) : [];
  const enqueue = runs('enqueue') ? await enqueueFigures(servers, baseline) : [];
  const timeliness = runs('timeliness') ? await timelinessFigures(servers) : [];
  const migration = runs('migration') ? await migrationFigures(servers) : [];
  let retentionMemory: RetentionMemoryResult | undefined;
  if (runs('retention-memory') && measures('bull')) {
    log(`retention in Redis: ${settings.retentionMemory.jobs} jobs with removeOnComplete: 1000`);
    retentionMemory = await runRetentionMemory(servers, settings.retentionMemory.jobs);
  }
  results = {
    generatedAt: new Date().toISOString(),
    command: [
      settings.resultsName === 'smoke' ? `BENCH_SCALE=${settings.scale} BENCH_RUNS=${settings.runs} ` : '',
      settings.skip.length === 0 ? '' : `BENCH_SKIP=${settings.skip.join(',')} `,
      settings.providers.length === BENCH_PROVIDERS.length ? '' : `BENCH_PROVIDERS=${settings.providers.join(',')} `,
      baseline === undefined ? '' : `BENCH_BASELINE=${baseline.ref} `,
      'npm run bench',
    ].join(''),
    ...(baseline === undefined ? {} : { baseline: { ref: baseline.ref, commit: baseline.commit } }),
    durationSeconds: 0,
    settings,
    machine,
    versions: { node: process.version, ...packageVersions() },
    servers: {
      redis: { kind: servers.redisKind, version: redisServerVersion(), hz: await redisServerHz(servers.redisUrl) },
      mongodb: { kind: servers.mongoKind },
      postgres: { kind: servers.postgresKind, version: await postgresServerVersion(servers.databaseUrl) },
    },
    throughput,
    enqueue,
    timeliness,
    migration,
    ...(retentionMemory === undefined ? {} : { retentionMemory }),
    targets: [],
  };
  results.targets = evaluateTargets(results);
  results.durationSeconds = Math.round((Date.now() - startedAt) / 1000);
} finally {
  await servers.stop();
  baseline?.remove();
}

const markdown = renderMarkdown(results);
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}${settings.resultsName}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${resultsDir}${settings.resultsName}.md`, markdown);
console.log(`\n${markdown}`);
log(`wrote bench/results/${settings.resultsName}.json and .md`);
// The harness's redis-server and the wire server's sockets would keep the process alive.
process.exit(0);
