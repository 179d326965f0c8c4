/** One message to one recipient. */
export interface Notification {
  channel: 'email' | 'sms';
  /** An email address or an E.164 phone number. */
  to: string;
  /** Email only. */
  subject?: string;
  body: string;
  /** What the message is about, for logs and provider metadata, e.g. `booking:42:24h`. */
  reference: string;
}

/**
 * The port a service binds its Mailgun, SES or Twilio client to. It should throw when
 * the message was not accepted, so that the job is retried.
 */
export interface NotificationSender {
  send(notification: Notification): Promise<void>;
}
