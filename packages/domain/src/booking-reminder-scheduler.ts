import { inject, injectable, optional } from 'inversify';
import { TYPES, type QueueProvider } from '@switchyard/core';
import { BOOKING_REMINDER_JOB, type Booking } from './booking.js';
import { systemClock, type Clock } from './clock.js';
import { requireClock, requireQueueProvider, requireReminderOffsets } from './constructor-arguments.js';
import { DEFAULT_BOOKING_REMINDER_OFFSETS, type ReminderOffset } from './reminder-offset.js';
import type { ReminderPlan } from './reminder-plan.js';
import { ReminderSeries } from './reminder-series.js';
import { validateBooking } from './validate-booking.js';
import { requireId } from './field-validation.js';
import { DOMAIN_TYPES } from './domain-tokens.js';

/**
 * Schedules the reminders of a booking (by default 24 h, 1 h and 15 min before it) as
 * jobs `booking:<bookingId>:<label>` on whatever `QueueProvider` is bound.
 *
 * Without Inversify: `new BookingReminderScheduler(queue)`, with the system clock and
 * `DEFAULT_BOOKING_REMINDER_OFFSETS`; pass a `Clock` and offsets to change either.
 *
 * @example
 * ```ts
 * const scheduler = new BookingReminderScheduler(queue);
 * const plan = await scheduler.scheduleBookingReminders({
 *   bookingId: 'b-42', customerId: 'c-7', customerEmail: 'ada@example.com',
 *   bookingDate: '2027-03-01T09:00:00Z', location: 'Studio 3', timeZone: 'Europe/Paris',
 * });
 * // plan.scheduled: three reminders; plan.skipped: those already in the past
 * ```
 */
@injectable()
export class BookingReminderScheduler {
  private readonly series: ReminderSeries;

  constructor(
    @inject(TYPES.QueueProvider) queue: QueueProvider,
    @inject(DOMAIN_TYPES.Clock) @optional() clock: Clock = systemClock,
    @inject(DOMAIN_TYPES.BookingReminderOffsets)
    @optional()
    offsets: readonly ReminderOffset[] = DEFAULT_BOOKING_REMINDER_OFFSETS,
  ) {
    const owner = 'BookingReminderScheduler';
    this.series = new ReminderSeries(
      requireQueueProvider(queue, owner),
      requireClock(clock, owner),
      BOOKING_REMINDER_JOB,
      'booking',
      requireReminderOffsets(offsets, owner),
    );
  }

  /** Idempotent: calling it again for the same booking schedules nothing new. */
  async scheduleBookingReminders(booking: Booking): Promise<ReminderPlan> {
    const { bookingDate, data } = validateBooking(booking);
    return this.series.schedule(data.bookingId, bookingDate, data);
  }

  /** Removes every reminder of the booking that has not gone out (sent ones stay as history); returns their job ids. */
  async cancelBookingReminders(bookingId: string): Promise<string[]> {
    return this.series.cancel(requireId(bookingId, 'bookingId'));
  }

  /**
   * For a booking whose time (or details) changed: the old reminders are removed and the
   * new ones scheduled under the same ids, so the result replaces rather than adds. A
   * reminder being sent at this very moment cannot be withdrawn and keeps its old content.
   */
  async rescheduleBookingReminders(booking: Booking): Promise<ReminderPlan> {
    const { bookingDate, data } = validateBooking(booking);
    await this.series.cancel(data.bookingId, { includeSent: true });
    return this.series.schedule(data.bookingId, bookingDate, data);
  }
}
