/**
 * Inversify service identifiers. Symbols made with `Symbol.for` so that two copies
 * of this package in one process still agree.
 *
 * @example
 * ```ts
 * constructor(@inject(TYPES.QueueProvider) private readonly queue: QueueProvider) {}
 * ```
 */
export const TYPES = {
  QueueProvider: Symbol.for('switchyard.QueueProvider'),
  JobProcessor: Symbol.for('switchyard.JobProcessor'),
  Logger: Symbol.for('switchyard.Logger'),
  Config: Symbol.for('switchyard.Config'),
  Clock: Symbol.for('switchyard.Clock'),
  NotificationSender: Symbol.for('switchyard.NotificationSender'),
  ReminderGuard: Symbol.for('switchyard.ReminderGuard'),
  BookingReminderScheduler: Symbol.for('switchyard.BookingReminderScheduler'),
  BookingReminderOffsets: Symbol.for('switchyard.BookingReminderOffsets'),
  PaymentReminderOffsets: Symbol.for('switchyard.PaymentReminderOffsets'),
  PaymentReminderScheduler: Symbol.for('switchyard.PaymentReminderScheduler'),
} as const;
