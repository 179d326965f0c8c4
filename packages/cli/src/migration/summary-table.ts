import type { MigrationReport } from '@switchyard/core';
import { renderTable } from '../text-table.js';

const COLUMNS = ['exported', 'imported', 'skipped', 'verified', 'deleted', 'failed'] as const;

/** The end-of-run table: one row per job name, then the totals. */
export function renderSummaryTable(report: MigrationReport): string {
  return renderTable({
    header: ['job name', ...COLUMNS.map((c) => (c === 'skipped' ? 'skipped (existing)' : c))],
    rows: Object.entries(report.byName)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, counts]) => [name, ...COLUMNS.map((c) => String(counts[c]))]),
    footer: ['total', ...COLUMNS.map((c) => String(report.totals[c]))],
    rightAligned: COLUMNS.map((_, i) => i + 1),
  });
}
