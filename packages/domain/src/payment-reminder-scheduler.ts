import { inject, injectable } from 'inversify';
import { TYPES, type QueueProvider } from '@switchyard/core';
import type { Clock } from './clock.js';
import { requireId } from './field-validation.js';
import { PAYMENT_REMINDER_JOB, type Payment } from './payment.js';
import type { ReminderOffset } from './reminder-offset.js';
import type { ReminderPlan } from './reminder-plan.js';
import { ReminderSeries } from './reminder-series.js';
import { validatePayment } from './validate-payment.js';

/**
 * Schedules the reminders of a payment: by default 3 days before the due date, on it,
 * and 1 and 7 days overdue, as jobs `payment:<paymentId>:<label>`. Cancel them when
 * the payment is made.
 *
 * @example
 * ```ts
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
    @inject(TYPES.Clock) clock: Clock,
    @inject(TYPES.PaymentReminderOffsets) offsets: readonly ReminderOffset[],
  ) {
    this.series = new ReminderSeries(queue, clock, PAYMENT_REMINDER_JOB, 'payment', offsets);
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
