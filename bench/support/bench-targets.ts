/**
 * The performance targets and whether a run met them. Each is checked on the run's
 * median; ratios are medians of per-run ratios, raw and provider measured alternately.
 */
import type { BenchResults, TargetVerdict } from './bench-report.js';
import type { RunSummary } from './summary-stats.js';
import { RETENTION_LABELS } from './bench-retention.js';

const BULL_LATENESS_P99_MS = 50;
/** Agenda's p99 lateness may be its polling interval plus this. */
const AGENDA_LATENESS_SLACK_MS = 50;
const MIN_THROUGHPUT_RATIO = 0.95;
const BULL_TO_MEMORY_MAX_SECONDS = 20;
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
};

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const figure of results.throughput) {
    const ratio = figure.ratioToRaw;
    if ((figure.variant !== 'bull' && figure.variant !== 'agenda') || ratio === undefined) continue;
    const library = figure.variant === 'bull' ? 'Bull' : 'Agenda';
    verdicts.push({
      target: `${PROVIDER_NAMES[figure.variant]} throughput ≥ ${MIN_THROUGHPUT_RATIO} × raw ${library}, ${RETENTION_LABELS[figure.retention]}`,
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
    const limit =
      figure.provider === 'bull'
        ? BULL_LATENESS_P99_MS
        : figure.provider === 'agenda' && figure.processEveryMs !== undefined
          ? figure.processEveryMs + AGENDA_LATENESS_SLACK_MS
          : undefined;
    if (limit === undefined) continue;
    verdicts.push({
      target: `${figure.provider === 'bull' ? 'Bull' : 'Agenda'} lateness p99 ≤ ${limit} ms`,
      measured: `${Math.round(figure.p99.median)} ms (runs ${Math.round(figure.p99.min)}–${Math.round(figure.p99.max)})`,
      met: figure.p99.median <= limit,
    });
  }
  for (const figure of results.migration) {
    if (figure.from === 'bull' && figure.to === 'memory') {
      verdicts.push({
        target: `Migration of ${figure.jobs.toLocaleString('en-US')} jobs bull → memory ≤ ${BULL_TO_MEMORY_MAX_SECONDS} s`,
        measured: `${figure.seconds.median.toFixed(1)} s (runs ${figure.seconds.min.toFixed(1)}–${figure.seconds.max.toFixed(1)})`,
        met: figure.seconds.median <= BULL_TO_MEMORY_MAX_SECONDS,
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
