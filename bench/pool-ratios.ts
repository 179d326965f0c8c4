/**
 * `node --import tsx bench/pool-ratios.ts <results.json>...`: the throughput ratios to
 * the raw library of several benchmark runs, pooled round by round.
 *
 * Each run's figure is the median of its own rounds, and on a machine shared with other
 * work one run's median can differ from the next one's by more than a change does. The
 * rounds of several runs, pooled, say more: for each variant and retention setting,
 * the median, quartiles and geometric mean of every round's ratio (the run over the raw
 * run of the same round) across the files given.
 */
import { readFileSync } from 'node:fs';
import type { BenchResults } from './support/bench-report.js';
import { RETENTION_LABELS } from './support/bench-retention.js';
import { percentile } from './support/summary-stats.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node --import tsx bench/pool-ratios.ts <results.json>...');
  process.exit(2);
}

const pooled = new Map<string, number[]>();
for (const file of files) {
  const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  for (const figure of results.throughput) {
    if (figure.ratioToRaw === undefined) continue;
    // An earlier build's variant is named by its commit: files may have been run against different ones.
    const variant = figure.variant.replace('@baseline', `@${results.baseline?.commit ?? 'baseline'}`);
    const key = `${variant}, ${RETENTION_LABELS[figure.retention]}`;
    pooled.set(key, [...(pooled.get(key) ?? []), ...figure.ratioToRaw.runs.filter(Number.isFinite)]);
  }
}

const two = (value: number) => value.toFixed(2);
console.log(`| Variant, retention | Rounds | Median | Quartiles | Geometric mean |`);
console.log(`| --- | --- | --- | --- | --- |`);
for (const [key, ratios] of pooled) {
  const geometricMean = Math.exp(ratios.reduce((sum, ratio) => sum + Math.log(ratio), 0) / ratios.length);
  console.log(
    `| ${key} | ${ratios.length} | ${two(percentile(ratios, 50))} | ${two(percentile(ratios, 25))}–${two(percentile(ratios, 75))} | ${two(geometricMean)} |`,
  );
}
