import 'reflect-metadata';

export * from './booking.js';
export * from './payment.js';
export * from './clock.js';
export * from './reminder-offset.js';
export * from './reminder-plan.js';
export * from './reminder-outcome.js';
export * from './reminder-messages.js';
export * from './notification-sender.js';
export * from './reminder-guard.js';
export * from './validate-booking.js';
export * from './validate-payment.js';
export { ReminderSeries } from './reminder-series.js';
export { BookingReminderScheduler } from './booking-reminder-scheduler.js';
export { PaymentReminderScheduler } from './payment-reminder-scheduler.js';
export { BookingReminderProcessor } from './booking-reminder-processor.js';
export { PaymentReminderProcessor } from './payment-reminder-processor.js';
export { LoggingNotificationSender } from './logging-notification-sender.js';
