import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import { TYPES, type QueueProvider } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';
import {
  BookingReminderProcessor,
  BookingReminderScheduler,
  DEFAULT_BOOKING_REMINDER_OFFSETS,
  PaymentReminderProcessor,
  PaymentReminderScheduler,
  systemClock,
} from '@switchyard/domain';

const DAY = 86_400_000;

/** Built by hand, as a service without Inversify does: the documented defaults, and wrong calls that say what is wrong. */
describe('reminder schedulers and processors built without Inversify', () => {
  let queue: QueueProvider;
  beforeEach(async () => {
    queue = new MemoryQueueProvider();
    await queue.connect();
  });
  afterEach(() => queue.close({ timeoutMs: 1000 }));

  const booking = {
    bookingId: 'b-1',
    customerId: 'c-1',
    customerEmail: 'ada@example.com',
    bookingDate: new Date(Date.now() + 2 * DAY),
    location: 'Studio 3',
  };
  const payment = {
    paymentId: 'p-1',
    bookingId: 'b-1',
    customerId: 'c-1',
    customerEmail: 'ada@example.com',
    amount: 10,
    currency: 'EUR',
    dueDate: new Date(Date.now() + 10 * DAY),
  };

  it('new BookingReminderScheduler(queue) schedules 24 h, 1 h and 15 min before, on the system clock', async () => {
    const plan = await new BookingReminderScheduler(queue).scheduleBookingReminders(booking);
    expect(plan.scheduled.map((r) => r.jobId)).to.deep.equal(['booking:b-1:24h', 'booking:b-1:1h', 'booking:b-1:15m']);
    expect(plan.scheduled[0]!.runAt.getTime()).to.equal(booking.bookingDate.getTime() - DAY);
  });

  it('new PaymentReminderScheduler(queue) schedules 3 days before, on, 1 and 7 days after the due date', async () => {
    const plan = await new PaymentReminderScheduler(queue).schedulePaymentReminders(payment);
    expect(plan.scheduled.map((r) => r.reminder)).to.deep.equal(['before-3d', 'due', 'overdue-1d', 'overdue-7d']);
  });

  it('an Inversify container that binds only the queue resolves the same defaults', async () => {
    const container = new Container();
    container.bind(TYPES.QueueProvider).toConstantValue(queue);
    container.bind(BookingReminderScheduler).toSelf();
    const plan = await container.get(BookingReminderScheduler).scheduleBookingReminders(booking);
    expect(plan.scheduled).to.have.length(3);
  });

  const wrongCalls: [string, () => unknown, RegExp][] = [
    [
      'no queue',
      () => new (BookingReminderScheduler as new () => unknown)(),
      /^BookingReminderScheduler: queue must be a QueueProvider .*; got undefined$/,
    ],
    [
      'a queue without scheduleJob',
      () => new BookingReminderScheduler({} as QueueProvider),
      /queue must be a QueueProvider .*; got an object without scheduleJob, getJob, cancelJob$/,
    ],
    [
      'offsets where the clock goes',
      () => new PaymentReminderScheduler(queue, DEFAULT_BOOKING_REMINDER_OFFSETS as never),
      /^PaymentReminderScheduler: clock must be a Clock \(with now\); got an array$/,
    ],
    [
      'no offsets at all',
      () => new BookingReminderScheduler(queue, systemClock, []),
      /offsets must be a non-empty array .*; got an array$/,
    ],
    [
      'an offset without offsetMs',
      () => new BookingReminderScheduler(queue, systemClock, [{ label: '1h' } as never]),
      /offsets\[0\]\.offsetMs is undefined$/,
    ],
    [
      'two offsets with one label',
      () =>
        new BookingReminderScheduler(queue, systemClock, [
          { label: '1h', offsetMs: 1 },
          { label: '1h', offsetMs: 2 },
        ]),
      /the label '1h' appears twice$/,
    ],
    [
      'a processor without a sender',
      () => new (BookingReminderProcessor as new () => unknown)(),
      /^BookingReminderProcessor: sender must be a NotificationSender \(with send\); got undefined$/,
    ],
    [
      'a processor with a string for a guard',
      () => new PaymentReminderProcessor({ send: async () => {} }, 'yes' as never),
      /^PaymentReminderProcessor: guard must be a ReminderGuard .*; got string "yes"$/,
    ],
  ];
  for (const [title, call, message] of wrongCalls) {
    it(`refuses ${title} with a TypeError that names the argument`, () => {
      expect(call).to.throw(TypeError, message);
    });
  }
});
