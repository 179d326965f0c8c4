import type { MigrationReport } from '@switchyard/core';

const COLUMNS = ['exported', 'imported', 'skipped', 'verified', 'deleted', 'failed'] as const;

/** The end-of-run table: one row per job name, then the totals. */
export function renderSummaryTable(report: MigrationReport): string {
  const header = ['job name', ...COLUMNS.map((c) => (c === 'skipped' ? 'skipped (existing)' : c))];
  const rows = Object.entries(report.byName)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, counts]) => [name, ...COLUMNS.map((c) => String(counts[c]))]);
  rows.push(['total', ...COLUMNS.map((c) => String(report.totals[c]))]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [format(header), rule, ...rows.slice(0, -1).map(format), rule, format(rows.at(-1)!)].join('\n');
}
