import type { JobInfo, JobState } from '@switchyard/core';
import { renderTable } from '../text-table.js';

type Counts = Record<JobState, number> & { paused: boolean };

const COUNT_COLUMNS = ['scheduled', 'waiting', 'active', 'completed', 'failed'] as const;
/** Longer reasons are cut in the list; `switchyard jobs get` shows them whole. */
const REASON_WIDTH = 60;

/** An instant to the second, in UTC: what a table has room for. */
export function instant(date: Date | null): string {
  return date === null ? '-' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `switchyard jobs list`: one row per job; a `failed reason` column when a job has one. */
export function renderJobList(jobs: readonly JobInfo[]): string {
  const withReason = jobs.some((job) => job.failedReason !== undefined);
  const header = [
    'id',
    'name',
    'state',
    'run at',
    'priority',
    'attempts',
    'created',
    ...(withReason ? ['failed reason'] : []),
  ];
  const rows = jobs.map((job) => [
    job.id,
    job.name,
    job.state,
    instant(job.runAt),
    String(job.priority),
    `${job.attemptsMade}/${job.maxAttempts}`,
    instant(job.createdAt),
    ...(withReason ? [shorten(job.failedReason ?? '', REASON_WIDTH)] : []),
  ]);
  return renderTable({ header, rows, rightAligned: [4, 5] });
}

/** `switchyard jobs get`: one field a line, the data and the result as indented JSON. */
export function renderJob(job: JobInfo): string {
  const fields: [string, string][] = [
    ['id', job.id],
    ['name', job.name],
    ['state', job.state],
    ['run at', instant(job.runAt)],
    ['created', instant(job.createdAt)],
    ['finished', instant(job.finishedAt)],
    ['priority', String(job.priority)],
    ['attempts', `${job.attemptsMade} of ${job.maxAttempts}`],
    ['progress', `${job.progress}%`],
  ];
  if (job.repeat !== undefined)
    fields.push([
      'repeat',
      'cron' in job.repeat
        ? `cron ${job.repeat.cron}${job.repeat.tz === undefined ? '' : ` (${job.repeat.tz})`}`
        : `every ${job.repeat.everyMs} ms`,
    ]);
  if (job.failedReason !== undefined) fields.push(['failed reason', job.failedReason]);
  if (job.result !== undefined) fields.push(['result', JSON.stringify(job.result, null, 2)]);
  fields.push(['data', JSON.stringify(job.data, null, 2)]);
  const width = Math.max(...fields.map(([label]) => label.length));
  // A value of several lines (JSON) continues under its first line.
  return fields
    .map(([label, value]) => `${label.padEnd(width)}  ${value.replace(/\n/g, `\n${' '.repeat(width + 2)}`)}`)
    .join('\n');
}

/** `switchyard jobs stats`: counts per state, one row per name, then the total. */
export function renderStats(byName: Record<string, Counts>, total: Counts): string {
  const row = (name: string, counts: Counts) => [
    name,
    ...COUNT_COLUMNS.map((state) => String(counts[state])),
    counts.paused ? 'yes' : 'no',
  ];
  return renderTable({
    header: ['job name', ...COUNT_COLUMNS, 'paused'],
    rows: Object.entries(byName).map(([name, counts]) => row(name, counts)),
    footer: row('total', total),
    rightAligned: [1, 2, 3, 4, 5],
  });
}

function shorten(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
