import type { Booking, BookingReminderData } from './booking.js';
import {
  optionalLocale,
  optionalPhone,
  optionalTimeZone,
  requireDate,
  requireEmail,
  requireId,
  requireObject,
  requireText,
} from './field-validation.js';

/** A booking checked field by field, with its date parsed. */
export interface ValidBooking {
  bookingDate: Date;
  /** The reminder job data, without the `reminder` label. */
  data: Omit<BookingReminderData, 'reminder'>;
}

export function validateBooking(value: Booking): ValidBooking {
  const booking = requireObject(value, 'booking');
  const bookingDate = requireDate(booking.bookingDate, 'bookingDate');
  const phone = optionalPhone(booking.customerPhone, 'customerPhone');
  const timeZone = optionalTimeZone(booking.timeZone, 'timeZone');
  const locale = optionalLocale(booking.locale, 'locale');
  return {
    bookingDate,
    data: {
      bookingId: requireId(booking.bookingId, 'bookingId'),
      customerId: requireId(booking.customerId, 'customerId'),
      customerEmail: requireEmail(booking.customerEmail, 'customerEmail'),
      ...(phone === undefined ? {} : { customerPhone: phone }),
      bookingDate: bookingDate.toISOString(),
      location: requireText(booking.location, 'location'),
      ...(timeZone === undefined ? {} : { timeZone }),
      ...(locale === undefined ? {} : { locale }),
    },
  };
}
