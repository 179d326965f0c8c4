/** A payment that is due, as the service that owns it describes it. */
export interface Payment {
  paymentId: string;
  bookingId: string;
  customerId: string;
  customerEmail: string;
  /** In the currency's major unit (euros, not cents); must not be negative. */
  amount: number;
  /** ISO 4217 code, e.g. `EUR`. */
  currency: string;
  /** When payment is due: a Date or an ISO string. */
  dueDate: Date | string;
  timeZone?: string;
  locale?: string;
}

export interface PaymentReminderData {
  paymentId: string;
  bookingId: string;
  customerId: string;
  customerEmail: string;
  amount: number;
  currency: string;
  /** ISO string. */
  dueDate: string;
  timeZone?: string;
  locale?: string;
  /** Which reminder this is, e.g. `due` or `overdue-1d`. */
  reminder: string;
}

export const PAYMENT_REMINDER_JOB = 'payment-reminder';
