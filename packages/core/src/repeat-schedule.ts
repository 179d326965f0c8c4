import { nextCronOccurrence } from './cron-schedule.js';
import type { RepeatOptions } from './schedule-options.js';

/**
 * When a repeating job runs next, strictly after both `now` and its last due time.
 *
 * Interval repeats fall on multiples of `everyMs` counted from the Unix epoch, which
 * is Bull's rule: every provider then computes the same instants, so a repeating job
 * keeps its schedule when it migrates. Occurrences missed while the process was busy
 * are skipped, not fired in a burst. Cron repeats take the next match.
 */
export function nextRepeatRun(repeat: RepeatOptions, lastDueAt: Date | null, now: Date): Date {
  const after = Math.max(now.getTime(), lastDueAt?.getTime() ?? 0);
  if ('everyMs' in repeat) {
    return new Date((Math.floor(after / repeat.everyMs) + 1) * repeat.everyMs);
  }
  return nextCronOccurrence(repeat.cron, repeat.tz, new Date(after));
}
