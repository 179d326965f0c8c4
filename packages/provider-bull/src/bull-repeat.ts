/**
 * How a contract `repeat` becomes a Bull repeatable, and the names Bull gives it.
 *
 * Bull identifies a repeatable by a key built from the job name, the caller's job id
 * and the schedule, and each occurrence by an id derived from that key and its due
 * time (lib/repeatable.js: getRepeatKey, getRepeatJobId). The provider needs both to
 * find a repeating job's current occurrence from the caller's id alone, so this file
 * computes them the same way; a unit test checks them against Bull itself.
 */
import { createHash } from 'node:crypto';
import type Bull from 'bull';
import type { RepeatOptions } from '@switchyard/core';

/** Bull's name for jobs added without a name; the provider has one queue per job name, so it never names jobs. */
export const BULL_DEFAULT_JOB_NAME = '__default__';

/**
 * Bull computes cron occurrences in the server's local time zone when none is given;
 * the contract means UTC (as core's `nextCronOccurrence` does), so the zone is always
 * spelled out. The caller's original `repeat` is kept apart for reporting.
 */
export function toBullRepeat(repeat: RepeatOptions): Bull.CronRepeatOptions | Bull.EveryRepeatOptions {
  return 'cron' in repeat ? { cron: repeat.cron, tz: repeat.tz ?? 'UTC' } : { every: repeat.everyMs };
}

/** The member of the queue's `repeat` sorted set for the repeating job `jobId`. */
export function bullRepeatKey(jobId: string, repeat: RepeatOptions): string {
  const bullRepeat = toBullRepeat(repeat);
  const suffix = 'cron' in bullRepeat ? `${bullRepeat.tz}:${bullRepeat.cron}` : String(bullRepeat.every);
  // name + ':' + (jobId + ':') + (no endDate: ':') + suffix
  return `${BULL_DEFAULT_JOB_NAME}:${jobId}::${suffix}`;
}

/** The Bull job id of the occurrence of `repeatKey` due at `millis`. */
export function bullOccurrenceId(jobId: string, repeatKey: string, millis: number): string {
  return `repeat:${md5(BULL_DEFAULT_JOB_NAME + jobId + ':' + md5(repeatKey))}:${millis}`;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
