const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * One reminder relative to an event: `offsetMs` before it (positive) or after it
 * (negative, for overdue follow-ups). `label` ends up in the job id, so it must stay
 * stable once reminders are scheduled with it.
 */
export interface ReminderOffset {
  label: string;
  offsetMs: number;
}

/** 24 h, 1 h and 15 min before the booking. */
export const DEFAULT_BOOKING_REMINDER_OFFSETS: readonly ReminderOffset[] = [
  { label: '24h', offsetMs: DAY },
  { label: '1h', offsetMs: HOUR },
  { label: '15m', offsetMs: 15 * MINUTE },
];

/** 3 days before the due date, on it, then 1 and 7 days overdue. */
export const DEFAULT_PAYMENT_REMINDER_OFFSETS: readonly ReminderOffset[] = [
  { label: 'before-3d', offsetMs: 3 * DAY },
  { label: 'due', offsetMs: 0 },
  { label: 'overdue-1d', offsetMs: -DAY },
  { label: 'overdue-7d', offsetMs: -7 * DAY },
];

/** Every offset multiplied by `factor`: how the demo turns days into seconds. */
export function scaleOffsets(offsets: readonly ReminderOffset[], factor: number): ReminderOffset[] {
  return offsets.map((offset) => ({ label: offset.label, offsetMs: Math.round(offset.offsetMs * factor) }));
}
