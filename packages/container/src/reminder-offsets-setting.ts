import type { ReminderOffset } from '@switchyard/domain';
import { parseDuration } from './duration.js';

/**
 * `BOOKING_REMINDER_OFFSETS=24h,1h,15m`: durations before the booking; each is its own label.
 * Returns null when any item is not a duration.
 */
export function parseBookingOffsets(text: string): ReminderOffset[] | null {
  const offsets = text.split(',').map((item) => {
    const label = item.trim();
    const offsetMs = parseDuration(label);
    return offsetMs === null || offsetMs === 0 ? null : { label, offsetMs };
  });
  return offsets.length > 0 && offsets.every((o) => o !== null) ? offsets : null;
}

/**
 * `PAYMENT_REMINDER_OFFSETS=-3d,0,+1d,+7d`: relative to the due date; `-3d` is 3 days
 * before (label `before-3d`), `0` the day itself (`due`), `+1d` one day overdue (`overdue-1d`).
 */
export function parsePaymentOffsets(text: string): ReminderOffset[] | null {
  const offsets = text.split(',').map((raw) => {
    const item = raw.trim();
    if (item === '0') return { label: 'due', offsetMs: 0 };
    const match = /^([+-])(.+)$/.exec(item);
    const duration = match === null ? null : parseDuration(match[2]!);
    if (match === null || duration === null || duration === 0) return null;
    return match[1] === '-'
      ? { label: `before-${match[2]}`, offsetMs: duration }
      : { label: `overdue-${match[2]}`, offsetMs: -duration };
  });
  return offsets.length > 0 && offsets.every((o) => o !== null) ? offsets : null;
}
