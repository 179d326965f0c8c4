import { inject, injectable } from 'inversify';
import { TYPES, type Logger } from '@switchyard/core';
import type { Notification, NotificationSender } from './notification-sender.js';

/**
 * The shipped adapter: logs what it would send instead of sending it. Bind your
 * Mailgun/SES/Twilio client to `DOMAIN_TYPES.NotificationSender` in production.
 */
@injectable()
export class LoggingNotificationSender implements NotificationSender {
  constructor(@inject(TYPES.Logger) private readonly logger: Logger) {}

  async send(notification: Notification): Promise<void> {
    this.logger.info(`would send ${notification.channel} to ${notification.to}`, {
      channel: notification.channel,
      to: notification.to,
      subject: notification.subject,
      body: notification.body,
      reference: notification.reference,
    });
  }
}
