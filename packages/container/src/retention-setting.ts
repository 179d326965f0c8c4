import type { RetentionOption } from '@switchyard/core';
import { parseDuration } from './duration.js';

/** What `JOB_KEEP_COMPLETED` / `JOB_KEEP_FAILED` accept, for the error message. */
export const RETENTION_SETTING_FORMS = "'all', 'none', a count (1000), an age (24h) or both (1000,24h)";

/**
 * `JOB_KEEP_COMPLETED` / `JOB_KEEP_FAILED` as the provider-wide default retention:
 * `all` keeps every finished job, `none` removes each as it finishes, `1000` keeps
 * the newest 1,000 of each name, `24h` keeps a day's, `1000,24h` both. Null for
 * anything else.
 */
export function parseRetentionSetting(text: string): RetentionOption | null {
  const value = text.trim().toLowerCase();
  if (value === 'all') return false;
  if (value === 'none') return true;
  let count: number | undefined;
  let ageMs: number | undefined;
  for (const part of value.split(',').map((piece) => piece.trim())) {
    if (/^\d+$/.test(part) && count === undefined) {
      count = Number(part);
      if (!Number.isSafeInteger(count)) return null;
    } else {
      const duration = parseDuration(part);
      if (duration === null || duration < 1 || ageMs !== undefined) return null;
      ageMs = duration;
    }
  }
  if (ageMs === undefined) return count ?? null;
  return count === undefined ? { ageMs } : { ageMs, count };
}
