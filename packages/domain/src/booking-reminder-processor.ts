import { inject, injectable, optional } from 'inversify';
import { type JobContext, type JobInfo, type JobProcessor } from '@switchyard/core';
import { BOOKING_REMINDER_JOB, type BookingReminderData } from './booking.js';
import type { NotificationSender } from './notification-sender.js';
import { requireNotificationSender, requireReminderGuard } from './constructor-arguments.js';
import { alwaysRemindGuard, type ReminderGuard } from './reminder-guard.js';
import { renderBookingReminder } from './reminder-messages.js';
import type { ReminderOutcome } from './reminder-outcome.js';
import { DOMAIN_TYPES } from './domain-tokens.js';

/** Sends a booking reminder by email, and by SMS when the customer gave a phone number. */
@injectable()
export class BookingReminderProcessor implements JobProcessor<BookingReminderData, ReminderOutcome> {
  readonly name = BOOKING_REMINDER_JOB;

  private readonly sender: NotificationSender;
  private readonly guard: ReminderGuard;

  /** Without Inversify: `new BookingReminderProcessor(sender)`; the guard defaults to `alwaysRemindGuard`. */
  constructor(
    @inject(DOMAIN_TYPES.NotificationSender) sender: NotificationSender,
    @inject(DOMAIN_TYPES.ReminderGuard) @optional() guard: ReminderGuard = alwaysRemindGuard,
  ) {
    this.sender = requireNotificationSender(sender, 'BookingReminderProcessor');
    this.guard = requireReminderGuard(guard, 'BookingReminderProcessor');
  }

  async process(job: JobInfo<BookingReminderData>, ctx: JobContext): Promise<ReminderOutcome> {
    const data = job.data;
    // A booking cancelled after its reminders were scheduled: nothing to say, and not an error.
    if (!(await this.guard.isBookingActive(data.bookingId))) {
      ctx.log.info('booking no longer active: reminder skipped', {
        bookingId: data.bookingId,
        reminder: data.reminder,
      });
      return { status: 'skipped', reason: 'booking cancelled' };
    }
    const message = renderBookingReminder(data);
    const reference = job.id;
    await this.sender.send({
      channel: 'email',
      to: data.customerEmail,
      subject: message.subject,
      body: message.body,
      reference,
    });
    const channels: ('email' | 'sms')[] = ['email'];
    if (data.customerPhone !== undefined) {
      await this.sender.send({ channel: 'sms', to: data.customerPhone, body: message.short, reference });
      channels.push('sms');
    }
    return { status: 'sent', channels };
  }
}
