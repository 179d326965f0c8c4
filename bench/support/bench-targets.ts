/**
 * The performance targets and whether a run met them. Each is checked on the run's
 * median; ratios are medians of per-run ratios, raw and provider measured alternately.
 */
import type { BenchResults, TargetVerdict } from './bench-report.js';
import type { RunSummary } from './summary-stats.js';
import { RETENTION_LABELS } from './bench-retention.js';

const BULL_LATENESS_P99_MS = 50;
/**
 * BullMQ on Redis. Its worker waits for the earliest delayed job with a blocking pop
 * whose timeout Redis serves at its `hz` (every 100 ms at the default 10), so at the
 * default this is a target about Redis's settings as much as about the provider (the
 * report gives the server's hz).
 */
const BULLMQ_REDIS_LATENESS_P99_MS = 25;
/** Agenda's p99 lateness may be its polling interval plus this. */
const AGENDA_LATENESS_SLACK_MS = 50;
const MIN_THROUGHPUT_RATIO = 0.95;
const BULL_TO_MEMORY_MAX_SECONDS = 20;
const BULL_TO_BULLMQ_MAX_SECONDS = 30;
const MIGRATION_MAX_RSS_MIB = 256;
/**
 * This build over the baseline build (same rounds): at least this, or it is slower
 * than it was. Not 1.00: two builds of the same commit, alternated, give medians
 * within a few hundredths of 1 (measured with BENCH_BASELINE=HEAD).
 */
const MIN_RATIO_TO_BASELINE_BUILD = 0.97;

const PROVIDER_NAMES: Record<string, string> = {
  bull: 'BullQueueProvider',
  agenda: 'AgendaQueueProvider',
  memory: 'MemoryQueueProvider',
  'bullmq-redis': 'BullMQQueueProvider on Redis',
  'bullmq-postgres': 'BullMQQueueProvider on PostgreSQL',
};

/** The raw library each provider's throughput is held to (on the same backend). */
const RAW_LIBRARIES: Record<string, string> = {
  bull: 'raw Bull',
  agenda: 'raw Agenda',
  'bullmq-redis': 'raw BullMQ on Redis',
  'bullmq-postgres': 'raw BullMQ on PostgreSQL',
};

/**
 * What bounds BullMQ's lateness on PostgreSQL, stated with its figure rather than held
 * to a limit. No NOTIFY announces a delayed job falling due: the worker asks for the next
 * due time (a query), sleeps on a timer until then, and promotes and claims the job in
 * one more. So lateness is a few query round trips on the worker's pool, plus whatever
 * else the server and the machine are doing.
 */
const POSTGRES_LATENESS_BOUND =
  "no limit: a timer to the next due time, then queries on the worker's pool to promote and claim";

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const figure of results.throughput) {
    const ratio = figure.ratioToRaw;
    const library = RAW_LIBRARIES[figure.variant];
    if (library === undefined || ratio === undefined) continue;
    verdicts.push({
      target: `${PROVIDER_NAMES[figure.variant]} throughput ≥ ${MIN_THROUGHPUT_RATIO} × ${library}, ${RETENTION_LABELS[figure.retention]}`,
      measured: `${ratio.median.toFixed(2)} × (runs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
      met: ratio.median >= MIN_THROUGHPUT_RATIO,
    });
  }
  const commit = results.baseline?.commit;
  const noSlowerThanBaseline = (figure: { variant: string; ratioToBaselineBuild?: RunSummary }, what: string) => {
    const ratio = figure.ratioToBaselineBuild;
    if (ratio === undefined || commit === undefined) return;
    verdicts.push({
      target: `${PROVIDER_NAMES[figure.variant] ?? figure.variant} ${what} ≥ ${MIN_RATIO_TO_BASELINE_BUILD} × at ${commit}`,
      measured: `${ratio.median.toFixed(2)} × (runs ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
      met: ratio.median >= MIN_RATIO_TO_BASELINE_BUILD,
    });
  };
  for (const figure of results.throughput) noSlowerThanBaseline(figure, 'throughput');
  for (const figure of results.enqueue) noSlowerThanBaseline(figure, `enqueue (${figure.pattern})`);
  for (const figure of results.timeliness) {
    const measured = `${Math.round(figure.p99.median)} ms (runs ${Math.round(figure.p99.min)}–${Math.round(figure.p99.max)})`;
    if (figure.provider === 'bullmq-postgres') {
      verdicts.push({ target: `BullMQ on PostgreSQL lateness p99 (${POSTGRES_LATENESS_BOUND})`, measured, met: null });
      continue;
    }
    const limit =
      figure.provider === 'bull'
        ? BULL_LATENESS_P99_MS
        : figure.provider === 'bullmq-redis'
          ? BULLMQ_REDIS_LATENESS_P99_MS
          : figure.provider === 'agenda' && figure.processEveryMs !== undefined
            ? figure.processEveryMs + AGENDA_LATENESS_SLACK_MS
            : undefined;
    if (limit === undefined) continue;
    const library = { bull: 'Bull', agenda: 'Agenda', 'bullmq-redis': 'BullMQ on Redis' }[figure.provider];
    verdicts.push({
      target: `${library} lateness p99 ≤ ${limit} ms`,
      measured,
      met: figure.p99.median <= limit,
    });
  }
  for (const figure of results.migration) {
    const maxSeconds =
      figure.from !== 'bull'
        ? undefined
        : figure.to === 'memory'
          ? BULL_TO_MEMORY_MAX_SECONDS
          : figure.to === 'bullmq'
            ? BULL_TO_BULLMQ_MAX_SECONDS
            : undefined;
    if (maxSeconds !== undefined) {
      verdicts.push({
        target: `Migration of ${figure.jobs.toLocaleString('en-US')} jobs bull → ${figure.to} ≤ ${maxSeconds} s`,
        measured: `${figure.seconds.median.toFixed(1)} s (runs ${figure.seconds.min.toFixed(1)}–${figure.seconds.max.toFixed(1)})`,
        met: figure.seconds.median <= maxSeconds,
      });
    }
    verdicts.push({
      target: `Migration ${figure.from} → ${figure.to} peak RSS ≤ ${MIGRATION_MAX_RSS_MIB} MB`,
      measured: `${Math.round(figure.peakRssMiB.median)} MiB (max ${Math.round(figure.peakRssMiB.max)})`,
      met: figure.peakRssMiB.max <= MIGRATION_MAX_RSS_MIB,
    });
  }
  const kept = results.retentionMemory;
  if (kept === undefined) return verdicts;
  verdicts.push({
    target: `Bull, ${kept.jobs.toLocaleString('en-US')} jobs with removeOnComplete: ${kept.keep}: at most ${kept.keep} job hashes and index entries left`,
    measured: `${kept.jobHashes} job hashes, ${kept.indexEntries} index entries, completed set ${kept.completedSetSize}`,
    met: kept.jobHashes <= kept.keep && kept.indexEntries <= kept.keep,
  });
  return verdicts;
}
