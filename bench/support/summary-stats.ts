/**
 * The few statistics the benchmarks report: median, min and max of a figure's runs,
 * and percentiles of a lateness distribution.
 */

/** A figure over its runs: the median is what we quote, min and max show the spread. */
export interface RunSummary {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in the order the runs happened. */
  runs: number[];
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0..100) by linear interpolation between the closest ranks
 * (the same as numpy's default), so p50 of an even count is the mean of the middle two.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0..100, got ${p}`);
  const sorted = sortedCopy(values);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (rank - lower);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * A run that gave no figure (NaN: the library failed it every time, see the bench's
 * `MAX_RUN_ATTEMPTS`) stays in `runs` but not in the statistics; with none left, they are NaN.
 */
export function summarize(runs: readonly number[]): RunSummary {
  if (runs.length === 0) throw new Error('no runs to summarize');
  const measured = runs.filter((run) => Number.isFinite(run));
  if (measured.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [...runs] };
  return { median: median(measured), min: Math.min(...measured), max: Math.max(...measured), runs: [...runs] };
}
