import type { RepeatOptions as BullMQRepeatOptions } from 'bullmq';
import { nextRepeatRun, type RepeatOptions } from '@switchyard/core';

/**
 * A contract repeat as a BullMQ job scheduler's repeat options. Cron: `pattern` and
 * `tz`, BullMQ computes each occurrence. Interval: `every`, starting at `firstRunAt`
 * (by default the next multiple of `everyMs` from the epoch, as every provider does),
 * because BullMQ would otherwise run the first iteration at once.
 */
export function toSchedulerRepeat(repeat: RepeatOptions, now: number, firstRunAt?: number): BullMQRepeatOptions {
  if ('cron' in repeat) {
    return repeat.tz === undefined ? { pattern: repeat.cron } : { pattern: repeat.cron, tz: repeat.tz };
  }
  const startDate = firstRunAt ?? nextRepeatRun(repeat, null, new Date(now)).getTime();
  return { every: repeat.everyMs, startDate };
}

/** The id BullMQ gives a scheduler's iteration due at `nextMillis` (job-scheduler.js `getSchedulerNextJobId`). */
export function iterationJobId(schedulerId: string, nextMillis: number): string {
  return `repeat:${schedulerId}:${nextMillis}`;
}
