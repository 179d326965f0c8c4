import { inject, injectable, optional } from 'inversify';
import { type JobContext, type JobInfo, type JobProcessor } from '@switchyard/core';
import type { NotificationSender } from './notification-sender.js';
import { PAYMENT_REMINDER_JOB, type PaymentReminderData } from './payment.js';
import { requireNotificationSender, requireReminderGuard } from './constructor-arguments.js';
import { alwaysRemindGuard, type ReminderGuard } from './reminder-guard.js';
import { renderPaymentReminder } from './reminder-messages.js';
import type { ReminderOutcome } from './reminder-outcome.js';
import { DOMAIN_TYPES } from './domain-tokens.js';

/** Sends a payment reminder by email, unless the payment has been settled meanwhile. */
@injectable()
export class PaymentReminderProcessor implements JobProcessor<PaymentReminderData, ReminderOutcome> {
  readonly name = PAYMENT_REMINDER_JOB;

  private readonly sender: NotificationSender;
  private readonly guard: ReminderGuard;

  /** Without Inversify: `new PaymentReminderProcessor(sender)`; the guard defaults to `alwaysRemindGuard`. */
  constructor(
    @inject(DOMAIN_TYPES.NotificationSender) sender: NotificationSender,
    @inject(DOMAIN_TYPES.ReminderGuard) @optional() guard: ReminderGuard = alwaysRemindGuard,
  ) {
    this.sender = requireNotificationSender(sender, 'PaymentReminderProcessor');
    this.guard = requireReminderGuard(guard, 'PaymentReminderProcessor');
  }

  async process(job: JobInfo<PaymentReminderData>, ctx: JobContext): Promise<ReminderOutcome> {
    const data = job.data;
    if (!(await this.guard.isPaymentOutstanding(data.paymentId))) {
      ctx.log.info('payment settled: reminder skipped', { paymentId: data.paymentId, reminder: data.reminder });
      return { status: 'skipped', reason: 'payment settled' };
    }
    const message = renderPaymentReminder(data);
    await this.sender.send({
      channel: 'email',
      to: data.customerEmail,
      subject: message.subject,
      body: message.body,
      reference: job.id,
    });
    return { status: 'sent', channels: ['email'] };
  }
}
