/**
 * The retention settings the benchmarks measure, the ones services set: keep every
 * finished job (the library defaults), remove each as it completes
 * (`removeOnComplete: true`), and keep the newest 1,000 (`removeOnComplete: 1000`).
 * Each is given to the raw library and to the provider alike.
 */
import type { ScheduleOptions } from '@switchyard/core';

export type BenchRetention = 'keep-all' | 'remove' | 'keep-1000';

export const BENCH_RETENTIONS: readonly BenchRetention[] = ['keep-all', 'remove', 'keep-1000'];

export const RETENTION_LABELS: Record<BenchRetention, string> = {
  'keep-all': 'keep all',
  remove: 'removeOnComplete: true',
  'keep-1000': 'removeOnComplete: 1000',
};

/** What `scheduleJob` is given. */
export function providerRetention(retention: BenchRetention): Pick<ScheduleOptions, 'removeOnComplete'> {
  return retention === 'keep-all' ? {} : { removeOnComplete: retention === 'remove' ? true : 1000 };
}

/** What raw Bull's `queue.add` is given: Bull's own option of the same meaning (raw BullMQ's, alike, is given the same). */
export function bullRetention(retention: BenchRetention): { removeOnComplete?: true | 1000 } {
  return retention === 'keep-all' ? {} : { removeOnComplete: retention === 'remove' ? true : 1000 };
}

/**
 * What raw Agenda's definition is given. Agenda 6 has `removeOnComplete: true` and no
 * count: raw Agenda keeps every job for `keep-1000`, which does less work than the
 * provider's trim (so that ratio is a lower bound).
 */
export function agendaRetention(retention: BenchRetention): { removeOnComplete?: boolean } {
  return retention === 'remove' ? { removeOnComplete: true } : {};
}
