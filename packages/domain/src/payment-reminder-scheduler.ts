import { inject, injectable, optional } from 'inversify';
import { TYPES, type QueueProvider } from '@switchyard/core';
import { systemClock, type Clock } from './clock.js';
import { requireClock, requireQueueProvider, requireReminderOffsets } from './constructor-arguments.js';
import { requireId } from './field-validation.js';
import { PAYMENT_REMINDER_JOB, type Payment } from './payment.js';
import { DEFAULT_PAYMENT_REMINDER_OFFSETS, type ReminderOffset } from './reminder-offset.js';
import type { ReminderPlan } from './reminder-plan.js';
import { ReminderSeries } from './reminder-series.js';
import { validatePayment } from './validate-payment.js';
import { DOMAIN_TYPES } from './domain-tokens.js';

/**
 * Schedules the reminders of a payment: by default 3 days before the due date, on it,
 * and 1 and 7 days overdue, as jobs `payment:<paymentId>:<label>`. Cancel them when
 * the payment is made.
 *
 * Without Inversify: `new PaymentReminderScheduler(queue)`, with the system clock and
 * `DEFAULT_PAYMENT_REMINDER_OFFSETS`; pass a `Clock` and offsets to change either.
 *
 * @example
 * ```ts
 * const scheduler = new PaymentReminderScheduler(queue);
 * await scheduler.schedulePaymentReminders({
 *   paymentId: 'p-9', bookingId: 'b-42', customerId: 'c-7', customerEmail: 'ada@example.com',
 *   amount: 120.5, currency: 'EUR', dueDate: '2027-02-20T00:00:00Z',
 * });
 * // ...later, when the money arrives:
 * await scheduler.cancelPaymentReminders('p-9');
 * ```
 */
@injectable()
export class PaymentReminderScheduler {
  private readonly series: ReminderSeries;

  constructor(
    @inject(TYPES.QueueProvider) queue: QueueProvider,
    @inject(DOMAIN_TYPES.Clock) @optional() clock: Clock = systemClock,
    @inject(DOMAIN_TYPES.PaymentReminderOffsets)
    @optional()
    offsets: readonly ReminderOffset[] = DEFAULT_PAYMENT_REMINDER_OFFSETS,
  ) {
    const owner = 'PaymentReminderScheduler';
    this.series = new ReminderSeries(
      requireQueueProvider(queue, owner),
      requireClock(clock, owner),
      PAYMENT_REMINDER_JOB,
      'payment',
      requireReminderOffsets(offsets, owner),
    );
  }

  /** Idempotent: calling it again for the same payment schedules nothing new. */
  async schedulePaymentReminders(payment: Payment): Promise<ReminderPlan> {
    const { dueDate, data } = validatePayment(payment);
    return this.series.schedule(data.paymentId, dueDate, data);
  }

  /** Removes every reminder of the payment that has not gone out (sent ones stay as history); returns their job ids. */
  async cancelPaymentReminders(paymentId: string): Promise<string[]> {
    return this.series.cancel(requireId(paymentId, 'paymentId'));
  }
}
