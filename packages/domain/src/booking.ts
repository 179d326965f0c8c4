/** A booking as the service that owns it describes it. */
export interface Booking {
  bookingId: string;
  customerId: string;
  customerEmail: string;
  /** E.164 (`+33612345678`); when given, reminders also go by SMS. */
  customerPhone?: string;
  /** When the booking starts: a Date or an ISO string. */
  bookingDate: Date | string;
  location: string;
  /** IANA zone the customer lives in (`Europe/Paris`); messages show times there. Default UTC. */
  timeZone?: string;
  /** BCP 47 locale for messages (`fr-FR`); default `en-GB`. */
  locale?: string;
}

/** The job data of one booking reminder: plain JSON, so every provider stores it alike. */
export interface BookingReminderData {
  bookingId: string;
  customerId: string;
  customerEmail: string;
  customerPhone?: string;
  /** ISO string. */
  bookingDate: string;
  location: string;
  timeZone?: string;
  locale?: string;
  /** Which reminder this is, e.g. `24h`. */
  reminder: string;
}

export const BOOKING_REMINDER_JOB = 'booking-reminder';
