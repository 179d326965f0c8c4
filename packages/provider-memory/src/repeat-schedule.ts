import { nextCronOccurrence, type RepeatOptions } from '@switchyard/core';

/**
 * When a repeating job runs next. Interval repeats keep to their grid (start +
 * k * everyMs) and skip occurrences missed while the process was busy rather than
 * firing them in a burst; cron repeats take the next match after now.
 */
export function nextRepeatRun(repeat: RepeatOptions, lastDueAt: Date | null, now: Date): Date {
  if ('everyMs' in repeat) {
    if (lastDueAt === null) return new Date(now.getTime() + repeat.everyMs);
    const next = lastDueAt.getTime() + repeat.everyMs;
    if (next > now.getTime()) return new Date(next);
    const missed = Math.floor((now.getTime() - lastDueAt.getTime()) / repeat.everyMs);
    return new Date(lastDueAt.getTime() + (missed + 1) * repeat.everyMs);
  }
  return nextCronOccurrence(repeat.cron, repeat.tz, now);
}
