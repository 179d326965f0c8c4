import type { QueueProvider } from '@switchyard/core';
import type { Clock } from './clock.js';
import type { NotificationSender } from './notification-sender.js';
import type { ReminderGuard } from './reminder-guard.js';
import type { ReminderOffset } from './reminder-offset.js';

/**
 * Checks of what the schedulers and processors are constructed with. Services that build
 * them by hand rather than through Inversify get a wrong call refused at once, with the
 * argument named, instead of `Cannot read properties of undefined` at the first job.
 * These are programming errors, so they are `TypeError`s, not `ValidationError`s.
 */

export function requireQueueProvider(value: unknown, owner: string): QueueProvider {
  return requireMethods(value, owner, 'queue', 'a QueueProvider', ['scheduleJob', 'getJob', 'cancelJob']);
}

export function requireClock(value: unknown, owner: string): Clock {
  return requireMethods(value, owner, 'clock', 'a Clock', ['now']);
}

export function requireNotificationSender(value: unknown, owner: string): NotificationSender {
  return requireMethods(value, owner, 'sender', 'a NotificationSender', ['send']);
}

export function requireReminderGuard(value: unknown, owner: string): ReminderGuard {
  return requireMethods(value, owner, 'guard', 'a ReminderGuard', ['isBookingActive', 'isPaymentOutstanding']);
}

/** A non-empty array of `{ label, offsetMs }` with distinct labels (each label ends up in a job id). */
export function requireReminderOffsets(value: unknown, owner: string): readonly ReminderOffset[] {
  const fail = (problem: string): never => {
    throw new TypeError(
      `${owner}: offsets must be a non-empty array of { label: string, offsetMs: number }; ${problem}`,
    );
  };
  if (!Array.isArray(value) || value.length === 0) fail(`got ${describe(value)}`);
  const labels = new Set<string>();
  (value as unknown[]).forEach((offset, index) => {
    const { label, offsetMs } = (
      typeof offset === 'object' && offset !== null ? offset : {}
    ) as Partial<ReminderOffset>;
    if (typeof label !== 'string' || label === '') fail(`offsets[${index}].label is ${describe(label)}`);
    if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs))
      fail(`offsets[${index}].offsetMs is ${describe(offsetMs)}`);
    if (labels.has(label!)) fail(`the label '${label}' appears twice`);
    labels.add(label!);
  });
  return value as readonly ReminderOffset[];
}

function requireMethods<T>(value: unknown, owner: string, argument: string, kind: string, methods: string[]): T {
  const missing = methods.filter(
    (method) => typeof (value as Record<string, unknown> | null | undefined)?.[method] !== 'function',
  );
  if (typeof value !== 'object' || value === null || missing.length > 0) {
    const got =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? `an object without ${missing.join(', ')}`
        : describe(value);
    throw new TypeError(`${owner}: ${argument} must be ${kind} (with ${methods.join(', ')}); got ${got}`);
  }
  return value as T;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
