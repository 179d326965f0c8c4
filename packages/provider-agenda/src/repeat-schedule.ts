import { nextCronOccurrence, type RepeatOptions } from '@switchyard/core';

/**
 * How a repeat is written in Agenda's own fields, so that Agenda computes every
 * occurrence after the first (it does so when an occurrence starts: see
 * `Job.computeNextRunAt`). A number `repeatInterval` is milliseconds to Agenda; a
 * string is a cron expression, read in `repeatTimezone`.
 */
export interface AgendaRepeatFields {
  repeatInterval: string | number;
  repeatTimezone: string;
}

/**
 * Agenda reads a cron expression in the process's local time zone when it has none;
 * Switchyard means UTC (as `nextCronOccurrence` does), so UTC is always spelled out.
 */
export function toAgendaRepeat(repeat: RepeatOptions): AgendaRepeatFields {
  if ('everyMs' in repeat) return { repeatInterval: repeat.everyMs, repeatTimezone: 'UTC' };
  return { repeatInterval: repeat.cron, repeatTimezone: repeat.tz ?? 'UTC' };
}

/**
 * When a new repeating job first runs: one interval from now, or the next cron match
 * after now. (Agenda's `every()` would run it at once; Switchyard's contract says the
 * job starts `scheduled`, as every provider does.)
 */
export function firstRepeatRun(repeat: RepeatOptions, now: Date): Date {
  if ('everyMs' in repeat) return new Date(now.getTime() + repeat.everyMs);
  return nextCronOccurrence(repeat.cron, repeat.tz, now);
}
