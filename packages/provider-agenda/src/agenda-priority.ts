import { DEFAULT_PRIORITY, HIGHEST_PRIORITY, LOWEST_PRIORITY } from '@switchyard/core';

/**
 * Switchyard priorities run 1 (highest) .. 10 (lowest); Agenda's run the other way
 * round (a higher number is more urgent, 0 is its 'normal', 10 its 'high'). The
 * mapping keeps our default 5 on Agenda's 'normal' 0, so jobs other tools put in the
 * collection with Agenda's defaults rank with ours as expected:
 *
 * ```
 *   Switchyard   1   2   3   4   5   6   7   8   9   10
 *   Agenda       4   3   2   1   0  -1  -2  -3  -4   -5
 * ```
 */
export function toAgendaPriority(priority: number): number {
  return DEFAULT_PRIORITY - priority;
}

/**
 * The inverse of `toAgendaPriority`. A document written by someone else may carry
 * any number (Agenda's 'highest' is 20), so the result is rounded and clamped into 1..10.
 */
export function fromAgendaPriority(agendaPriority: unknown): number {
  const value = typeof agendaPriority === 'number' && Number.isFinite(agendaPriority) ? agendaPriority : 0;
  return Math.min(LOWEST_PRIORITY, Math.max(HIGHEST_PRIORITY, Math.round(DEFAULT_PRIORITY - value)));
}
