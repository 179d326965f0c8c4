/**
 * Asked right before a reminder goes out, so that a booking cancelled or a payment
 * settled after its reminders were scheduled gets no message. The service implements it
 * against its own database.
 */
export interface ReminderGuard {
  isBookingActive(bookingId: string): Promise<boolean>;
  isPaymentOutstanding(paymentId: string): Promise<boolean>;
}

/** Reminds about everything: for demos, and for services that cancel reminders eagerly instead. */
export const alwaysRemindGuard: ReminderGuard = {
  isBookingActive: async () => true,
  isPaymentOutstanding: async () => true,
};
