import type { Payment, PaymentReminderData } from './payment.js';
import {
  optionalLocale,
  optionalTimeZone,
  requireAmount,
  requireCurrency,
  requireDate,
  requireEmail,
  requireId,
  requireObject,
} from './field-validation.js';

export interface ValidPayment {
  dueDate: Date;
  data: Omit<PaymentReminderData, 'reminder'>;
}

export function validatePayment(value: Payment): ValidPayment {
  const payment = requireObject(value, 'payment');
  const dueDate = requireDate(payment.dueDate, 'dueDate');
  const timeZone = optionalTimeZone(payment.timeZone, 'timeZone');
  const locale = optionalLocale(payment.locale, 'locale');
  return {
    dueDate,
    data: {
      paymentId: requireId(payment.paymentId, 'paymentId'),
      bookingId: requireId(payment.bookingId, 'bookingId'),
      customerId: requireId(payment.customerId, 'customerId'),
      customerEmail: requireEmail(payment.customerEmail, 'customerEmail'),
      amount: requireAmount(payment.amount, 'amount'),
      currency: requireCurrency(payment.currency, 'currency'),
      dueDate: dueDate.toISOString(),
      ...(timeZone === undefined ? {} : { timeZone }),
      ...(locale === undefined ? {} : { locale }),
    },
  };
}
