import { CronExpressionParser } from 'cron-parser';

/**
 * Throws a plain Error (with cron-parser's reason) when `cron` or `tz` is not valid.
 * Five fields (minute precision) or six (with seconds first) are accepted.
 */
export function assertValidCron(cron: string, tz?: string): void {
  CronExpressionParser.parse(cron, tz === undefined ? {} : { tz });
}

/** The first occurrence of `cron` strictly after `from`, in time zone `tz` (UTC when absent). */
export function nextCronOccurrence(cron: string, tz: string | undefined, from: Date): Date {
  const expression = CronExpressionParser.parse(cron, { currentDate: from, tz: tz ?? 'UTC' });
  return expression.next().toDate();
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
