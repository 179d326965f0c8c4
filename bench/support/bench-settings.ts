/**
 * How big a benchmark run is. The full run (`npm run bench`) uses the sizes the
 * targets are stated for; `BENCH_SCALE` (0 < scale <= 1) shrinks every job count for
 * a quick smoke run, whose results go to `smoke.*` instead of `latest.*`.
 *
 * Agenda's job counts for throughput and enqueue are smaller than Bull's: on the
 * MongoDB wire-protocol test server every query is answered by JavaScript, at a
 * few hundred jobs per second at best, and Agenda's lock queries scan the collection,
 * so runs slow down as jobs pile up. BullMQ on PostgreSQL has smaller counts too (see
 * `POSTGRES_THROUGHPUT_JOBS`). Each figure records the job count it was measured with.
 */
export interface BenchSettings {
  scale: number;
  /** Alternating runs per figure. */
  runs: number;
  /** `latest` for a full run, `smoke` for a scaled-down one, `partial` for a full-size run of some sections. */
  resultsName: 'latest' | 'smoke' | 'partial';
  /** Sections left out (`BENCH_SKIP=timeliness,migration`): their tables are empty. */
  skip: BenchSection[];
  /**
   * The providers measured (`BENCH_PROVIDERS=bull,agenda,memory`), each with its raw
   * library and baseline build; all by default. A run of some only writes `partial.*`.
   */
  providers: BenchProvider[];
  /** `ratioRuns`: rounds of the throughput figures compared with a raw library (see `RATIO_THROUGHPUT_RUNS`). */
  throughput: {
    jobs: number;
    agendaJobs: number;
    /** BullMQ on PostgreSQL, raw and provider. */
    postgresJobs: number;
    /** The memory provider, this build and a baseline build's (see `MEMORY_JOBS`). */
    memoryJobs: number;
    concurrency: number;
    addWindow: number;
    ratioRuns: number;
  };
  enqueue: {
    oneAtATimeJobs: number;
    batchedJobs: number;
    agendaJobs: number;
    /** BullMQ on PostgreSQL, raw and provider, both patterns. */
    postgresJobs: number;
    /** The memory provider, both patterns (see `MEMORY_JOBS`). */
    memoryJobs: number;
    batchWindow: number;
    /** Rounds: every enqueue figure is compared with another (raw, or a baseline build), as throughput's are. */
    runs: number;
  };
  timeliness: { jobs: number; spreadMs: number; leadMs: number; concurrency: number };
  migration: { jobs: number };
  /** Jobs of the Redis retention run (`scenarios/retention-memory.ts`). */
  retentionMemory: { jobs: number };
}

/** Agenda's throughput job count at full scale on the wire test server (see above); MONGODB_URL servers could take more. */
const AGENDA_THROUGHPUT_JOBS = 1000;
/** Enqueue only inserts (no lock queries), so its runs can hold more jobs and last over a second. */
const AGENDA_ENQUEUE_JOBS = 3000;
/**
 * The memory provider adds 100,000 jobs a second and runs 40,000: at Bull's counts a
 * run lasted 20 to 500 ms, short enough for one collection of garbage or one tier-up of
 * the compiler to move it by half (runs spread 0.49 to 1.47 around the same build).
 * 100,000 jobs make each run last one to three seconds.
 */
const MEMORY_JOBS = 100_000;
/**
 * BullMQ on PostgreSQL at full scale. Every add, claim and completion there is a SQL
 * function call in a transaction (a round trip each, and row locks on BullMQ's tables),
 * so it runs at hundreds of jobs per second where Redis runs at thousands (about 500 on
 * a shared two-core machine, raw and provider alike), and each run's fresh schema gets
 * BullMQ's migrations first (a second or two). At Bull's 20,000 jobs each PostgreSQL
 * throughput run (63 at the defaults) would take most of a minute; 2,000 keep a run to a few
 * seconds, as the Redis runs take, and still hold 40 times the worker's concurrency.
 * Enqueue takes 1,000, as Agenda's does.
 */
const POSTGRES_THROUGHPUT_JOBS = 2000;
const POSTGRES_ENQUEUE_JOBS = 1000;
/**
 * Rounds of the Bull and Agenda throughput figures at full scale. A round takes
 * seconds, and on a shared machine one run can differ from the next by a third; the
 * provider / raw ratio is a median of per-round ratios, and eleven of them hold it
 * steady where five did not.
 */
const RATIO_THROUGHPUT_RUNS = 11;

export const BENCH_SECTIONS = ['throughput', 'enqueue', 'timeliness', 'migration', 'retention-memory'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export const BENCH_PROVIDERS = ['bull', 'agenda', 'memory', 'bullmq-redis', 'bullmq-postgres'] as const;
export type BenchProvider = (typeof BENCH_PROVIDERS)[number];

/** The values of a comma-separated variable, each checked against `allowed`. */
function listOf<T extends string>(env: NodeJS.ProcessEnv, variable: string, allowed: readonly T[]): T[] {
  const values = (env[variable] ?? '').split(',').filter((value) => value !== '') as T[];
  for (const value of values) {
    if (!allowed.includes(value)) throw new Error(`${variable}: '${value}' is not one of ${allowed.join(', ')}`);
  }
  return values;
}

/** The provider a bench variant measures: `raw-bull-options` and `bull@baseline` are Bull's, `raw-bullmq-redis` BullMQ's on Redis. */
export function providerOfBenchVariant(variant: string): BenchProvider {
  const match = /^(?:raw-)?(bullmq-redis|bullmq-postgres|bull|agenda|memory)/.exec(variant);
  if (match === null) throw new Error(`no provider in bench variant '${variant}'`);
  return match[1] as BenchProvider;
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const skip = listOf(env, 'BENCH_SKIP', BENCH_SECTIONS);
  const chosen = listOf(env, 'BENCH_PROVIDERS', BENCH_PROVIDERS);
  const providers = chosen.length === 0 ? [...BENCH_PROVIDERS] : chosen;
  const scale = env.BENCH_SCALE === undefined || env.BENCH_SCALE === '' ? 1 : Number(env.BENCH_SCALE);
  if (!(scale > 0 && scale <= 1)) throw new Error(`BENCH_SCALE must be a number in (0, 1], got ${env.BENCH_SCALE}`);
  const runs = env.BENCH_RUNS === undefined || env.BENCH_RUNS === '' ? 5 : Number(env.BENCH_RUNS);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`BENCH_RUNS must be a whole number of at least 1, got ${env.BENCH_RUNS}`);
  const scaled = (count: number, minimum: number) => Math.max(minimum, Math.round(count * scale));
  return {
    scale,
    runs,
    // A figure from fewer than five runs is not a result: only a full run writes latest.*.
    resultsName: scale === 1 && runs >= 5 ? (skip.length === 0 && chosen.length === 0 ? 'latest' : 'partial') : 'smoke',
    skip,
    providers,
    throughput: {
      jobs: scaled(20_000, 200),
      agendaJobs: scaled(AGENDA_THROUGHPUT_JOBS, 50),
      postgresJobs: scaled(POSTGRES_THROUGHPUT_JOBS, 100),
      memoryJobs: scaled(MEMORY_JOBS, 1000),
      concurrency: 50,
      addWindow: 100,
      ratioRuns: scale === 1 ? Math.max(runs, RATIO_THROUGHPUT_RUNS) : runs,
    },
    enqueue: {
      oneAtATimeJobs: scaled(2000, 50),
      batchedJobs: scaled(10_000, 200),
      agendaJobs: scaled(AGENDA_ENQUEUE_JOBS, 50),
      postgresJobs: scaled(POSTGRES_ENQUEUE_JOBS, 100),
      memoryJobs: scaled(MEMORY_JOBS, 1000),
      batchWindow: 100,
      runs: scale === 1 ? Math.max(runs, RATIO_THROUGHPUT_RUNS) : runs,
    },
    timeliness: { jobs: scaled(1000, 50), spreadMs: scaled(10_000, 1000), leadMs: scaled(5000, 2000), concurrency: 50 },
    migration: { jobs: scaled(100_000, 1000) },
    retentionMemory: { jobs: scaled(200_000, 2000) },
  };
}
