/**
 * Inversify service identifiers of the reminder domain: its ports (bind your own
 * `NotificationSender` and `ReminderGuard`), its schedulers, clock and offsets. The same
 * `Symbol.for` keys as before they moved here from `@switchyard/core`, so containers
 * built either way agree.
 *
 * @example
 * ```ts
 * container.bind(DOMAIN_TYPES.NotificationSender).toConstantValue(new MailgunSender(client));
 * ```
 */
export const DOMAIN_TYPES = {
  Clock: Symbol.for('switchyard.Clock'),
  NotificationSender: Symbol.for('switchyard.NotificationSender'),
  ReminderGuard: Symbol.for('switchyard.ReminderGuard'),
  BookingReminderScheduler: Symbol.for('switchyard.BookingReminderScheduler'),
  BookingReminderOffsets: Symbol.for('switchyard.BookingReminderOffsets'),
  PaymentReminderOffsets: Symbol.for('switchyard.PaymentReminderOffsets'),
  PaymentReminderScheduler: Symbol.for('switchyard.PaymentReminderScheduler'),
} as const;
