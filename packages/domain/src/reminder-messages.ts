import type { BookingReminderData } from './booking.js';
import type { PaymentReminderData } from './payment.js';

const DEFAULT_LOCALE = 'en-GB';

/** What a reminder says, before it is addressed to a channel. */
export interface ReminderMessage {
  subject: string;
  /** Full text, for email. */
  body: string;
  /** One short line, for SMS. */
  short: string;
}

/** The booking's time in the customer's zone (UTC when unknown), e.g. "Monday 1 March 2027 at 10:00 CET". */
export function formatWhen(iso: string, locale: string | undefined, timeZone: string | undefined): string {
  return (
    new Intl.DateTimeFormat(locale ?? DEFAULT_LOCALE, {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: timeZone ?? 'UTC',
    }).format(new Date(iso)) + ` ${zoneName(iso, locale, timeZone)}`
  );
}

export function formatAmount(amount: number, currency: string, locale: string | undefined): string {
  return new Intl.NumberFormat(locale ?? DEFAULT_LOCALE, { style: 'currency', currency }).format(amount);
}

const BOOKING_LEAD: Record<string, string> = {
  '24h': 'tomorrow',
  '1h': 'in one hour',
  '15m': 'in 15 minutes',
};

export function renderBookingReminder(data: BookingReminderData): ReminderMessage {
  const when = formatWhen(data.bookingDate, data.locale, data.timeZone);
  const lead = BOOKING_LEAD[data.reminder] ?? 'soon';
  return {
    subject: `Reminder: your booking ${lead} at ${data.location}`,
    body:
      `Hello,\n\nThis is a reminder that your booking ${data.bookingId} is ${lead}: ` +
      `${when}, at ${data.location}.\n\nSee you there.`,
    short: `Reminder: booking ${data.bookingId} ${lead}, ${when}, ${data.location}.`,
  };
}

export function renderPaymentReminder(data: PaymentReminderData): ReminderMessage {
  const amount = formatAmount(data.amount, data.currency, data.locale);
  const due = new Intl.DateTimeFormat(data.locale ?? DEFAULT_LOCALE, {
    dateStyle: 'long',
    timeZone: data.timeZone ?? 'UTC',
  }).format(new Date(data.dueDate));
  const overdue = data.reminder.startsWith('overdue');
  const dueToday = data.reminder === 'due';
  const status = overdue
    ? `was due on ${due} and is now overdue`
    : dueToday
      ? `is due today (${due})`
      : `is due on ${due}`;
  return {
    subject: overdue
      ? `Overdue: ${amount} for booking ${data.bookingId}`
      : `Payment reminder: ${amount} for booking ${data.bookingId}`,
    body: `Hello,\n\nYour payment ${data.paymentId} of ${amount} for booking ${data.bookingId} ${status}.\n\nThank you.`,
    short: `Payment ${data.paymentId}: ${amount} ${status}.`,
  };
}

function zoneName(iso: string, locale: string | undefined, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat(locale ?? DEFAULT_LOCALE, {
    timeZone: timeZone ?? 'UTC',
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? timeZone ?? 'UTC';
}
