import { nextRepeatRun, type RepeatOptions } from '@switchyard/core';

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
 * When a new repeating job first runs: the next instant of its schedule after now, by
 * the rule every provider shares (`nextRepeatRun`: interval repeats on the epoch grid).
 * Agenda's `every()` would run it at once; the contract says it starts `scheduled`.
 * Later occurrences are Agenda's to compute (last run + interval, or the next cron match).
 */
export function firstRepeatRun(repeat: RepeatOptions, now: Date): Date {
  return nextRepeatRun(repeat, null, now);
}
