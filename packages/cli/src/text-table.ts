/** A plain-text table: what the CLI prints on a terminal (and to a pipe, without `--json`). */
export interface TextTable {
  header: string[];
  rows: string[][];
  /** A last row (totals) set apart by a second rule. */
  footer?: string[];
  /** Columns whose cells are right-aligned: the numbers. */
  rightAligned?: readonly number[];
}

/**
 * ```
 * job name  exported
 * --------  --------
 * digest           5
 * ```
 */
export function renderTable({ header, rows, footer, rightAligned = [] }: TextTable): string {
  const all = footer === undefined ? [header, ...rows] : [header, ...rows, footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) =>
    widths
      .map((width, i) => (rightAligned.includes(i) ? (cells[i] ?? '').padStart(width) : (cells[i] ?? '').padEnd(width)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(header), rule, ...rows.map(format), ...(footer === undefined ? [] : [rule, format(footer)])].join(
    '\n',
  );
}
