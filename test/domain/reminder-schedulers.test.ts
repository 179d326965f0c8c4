import { expect } from 'chai';
import sinon from 'sinon';
import { ValidationError, type JobInfo, type QueueProvider } from '@switchyard/core';
import {
  BookingReminderProcessor,
  BookingReminderScheduler,
  DEFAULT_BOOKING_REMINDER_OFFSETS,
  DEFAULT_PAYMENT_REMINDER_OFFSETS,
  PaymentReminderProcessor,
  PaymentReminderScheduler,
  alwaysRemindGuard,
  type Booking,
  type Clock,
  type Notification,
  type NotificationSender,
  type Payment,
  type ReminderGuard,
} from '@switchyard/domain';
import { providerFixtures } from '../support/provider-fixtures.js';
import { waitUntil } from '../support/wait-until.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const fixture of providerFixtures()) {
  describe(`reminder schedulers on ${fixture.name}`, () => {
    let queue: QueueProvider;
    const now = new Date();
    const clock: Clock = { now: () => now };
    let bookings: BookingReminderScheduler;
    let payments: PaymentReminderScheduler;

    const booking = (overrides: Partial<Booking> = {}): Booking => ({
      bookingId: 'b-42',
      customerId: 'c-7',
      customerEmail: 'ada@example.com',
      bookingDate: new Date(now.getTime() + 2 * DAY),
      location: 'Studio 3',
      ...overrides,
    });
    const payment = (overrides: Partial<Payment> = {}): Payment => ({
      paymentId: 'p-9',
      bookingId: 'b-42',
      customerId: 'c-7',
      customerEmail: 'ada@example.com',
      amount: 120.5,
      currency: 'EUR',
      dueDate: new Date(now.getTime() + 10 * DAY),
      ...overrides,
    });

    beforeEach(async () => {
      queue = await fixture.make();
      await queue.connect();
      bookings = new BookingReminderScheduler(queue, clock, DEFAULT_BOOKING_REMINDER_OFFSETS);
      payments = new PaymentReminderScheduler(queue, clock, DEFAULT_PAYMENT_REMINDER_OFFSETS);
    });
    afterEach(() => queue.close({ timeoutMs: 1000 }));

    const ids = async () => (await queue.listJobs()).map((job) => job.id).sort();

    it('schedules 24 h, 1 h and 15 min reminders under deterministic ids', async () => {
      const plan = await bookings.scheduleBookingReminders(booking());
      expect(plan.scheduled.map((r) => r.jobId)).to.deep.equal([
        'booking:b-42:24h',
        'booking:b-42:1h',
        'booking:b-42:15m',
      ]);
      const bookingAt = now.getTime() + 2 * DAY;
      const job = await queue.getJob<{ reminder: string; location: string }>('booking:b-42:1h');
      expect(job?.runAt?.getTime()).to.equal(bookingAt - HOUR);
      expect(job?.state).to.equal('scheduled');
      expect(job?.data).to.include({ reminder: '1h', location: 'Studio 3' });
      expect((await queue.getJob('booking:b-42:24h'))?.runAt?.getTime()).to.equal(bookingAt - DAY);
      expect((await queue.getJob('booking:b-42:15m'))?.runAt?.getTime()).to.equal(bookingAt - 15 * 60_000);
    });

    it('doubles nothing when called twice', async () => {
      await bookings.scheduleBookingReminders(booking());
      await bookings.scheduleBookingReminders(booking());
      expect(await ids()).to.deep.equal(['booking:b-42:15m', 'booking:b-42:1h', 'booking:b-42:24h']);
    });

    it('skips and reports reminders whose time has passed', async () => {
      const plan = await bookings.scheduleBookingReminders(
        booking({ bookingDate: new Date(now.getTime() + 30 * 60_000) }),
      );
      expect(plan.skipped.map((r) => r.reminder)).to.deep.equal(['24h', '1h']);
      expect(plan.scheduled.map((r) => r.reminder)).to.deep.equal(['15m']);
      expect(await ids()).to.deep.equal(['booking:b-42:15m']);
    });

    it('replaces rather than adds when the booking moves', async () => {
      await bookings.scheduleBookingReminders(booking());
      const moved = new Date(now.getTime() + 5 * DAY);
      await bookings.rescheduleBookingReminders(booking({ bookingDate: moved, location: 'Studio 5' }));
      const jobs = await queue.listJobs();
      expect(jobs).to.have.length(3);
      const dayBefore = jobs.find((job) => job.id === 'booking:b-42:24h') as JobInfo<{ location: string }>;
      expect(dayBefore.runAt?.getTime()).to.equal(moved.getTime() - DAY);
      expect(dayBefore.data.location).to.equal('Studio 5');
    });

    it('cancels every reminder of a booking and leaves other bookings alone', async () => {
      await bookings.scheduleBookingReminders(booking());
      await bookings.scheduleBookingReminders(booking({ bookingId: 'b-43' }));
      const removed = await bookings.cancelBookingReminders('b-42');
      expect(removed.sort()).to.deep.equal(['booking:b-42:15m', 'booking:b-42:1h', 'booking:b-42:24h']);
      expect(await ids()).to.deep.equal(['booking:b-43:15m', 'booking:b-43:1h', 'booking:b-43:24h']);
    });

    it('schedules payment reminders before, on and after the due date, and cancels them when paid', async () => {
      const plan = await payments.schedulePaymentReminders(payment());
      expect(plan.scheduled.map((r) => r.jobId)).to.deep.equal([
        'payment:p-9:before-3d',
        'payment:p-9:due',
        'payment:p-9:overdue-1d',
        'payment:p-9:overdue-7d',
      ]);
      const due = now.getTime() + 10 * DAY;
      expect((await queue.getJob('payment:p-9:overdue-7d'))?.runAt?.getTime()).to.equal(due + 7 * DAY);
      await payments.schedulePaymentReminders(payment());
      expect(await ids()).to.have.length(4);
      expect(await payments.cancelPaymentReminders('p-9')).to.have.length(4);
      expect(await ids()).to.deep.equal([]);
    });

    const badBookings: [string, Partial<Booking>][] = [
      ['bookingId', { bookingId: '' }],
      ['bookingDate', { bookingDate: 'next tuesday' }],
      ['bookingDate', { bookingDate: new Date(Number.NaN) }],
      ['customerEmail', { customerEmail: 'not-an-email' }],
      ['customerPhone', { customerPhone: '0612' }],
      ['timeZone', { timeZone: 'Mars/Olympus' }],
    ];
    for (const [field, change] of badBookings) {
      it(`rejects a booking with a bad ${field} (${JSON.stringify(Object.values(change)[0])}) and schedules nothing`, async () => {
        const error = await bookings.scheduleBookingReminders(booking(change)).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ValidationError).with.property('field', field);
        expect(await ids()).to.deep.equal([]);
      });
    }

    const badPayments: [string, Partial<Payment>][] = [
      ['paymentId', { paymentId: undefined }],
      ['amount', { amount: -1 }],
      ['currency', { currency: 'EUX' }],
      ['dueDate', { dueDate: '2027-02-30T25:00:00Z' }],
    ];
    for (const [field, change] of badPayments) {
      it(`rejects a payment with a bad ${field} and schedules nothing`, async () => {
        const error = await payments.schedulePaymentReminders(payment(change)).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ValidationError).with.property('field', field);
        expect(await ids()).to.deep.equal([]);
      });
    }

    describe('processing', () => {
      let sender: sinon.SinonStubbedInstance<NotificationSender> & NotificationSender;
      let outcomes: Map<string, unknown>;

      async function startWorker(guard: ReminderGuard): Promise<void> {
        sender = { send: sinon.stub<[Notification], Promise<void>>().resolves() };
        outcomes = new Map();
        queue.on('completed', (job, result) => outcomes.set(job.id, result));
        queue.registerProcessor(new BookingReminderProcessor(sender, guard));
        queue.registerProcessor(new PaymentReminderProcessor(sender, guard));
        await queue.start();
      }

      // Offsets shrunk so that reminders fall due within a second of scheduling.
      const soon = () => ({ now: () => new Date() });

      it("sends a booking reminder by email and SMS, dated in the customer's time zone", async () => {
        await startWorker(alwaysRemindGuard);
        const scheduler = new BookingReminderScheduler(queue, soon(), [{ label: '1h', offsetMs: 1000 }]);
        const bookingDate = new Date(Date.now() + 1300);
        await scheduler.scheduleBookingReminders(
          booking({ bookingDate, customerPhone: '+33612345678', timeZone: 'Europe/Paris', locale: 'en-GB' }),
        );
        await waitUntil(() => outcomes.has('booking:b-42:1h'), { timeoutMs: 2000 + fixture.schedulingToleranceMs });
        expect(outcomes.get('booking:b-42:1h')).to.deep.equal({ status: 'sent', channels: ['email', 'sms'] });
        const [email, sms] = sender.send.getCalls().map((call) => call.args[0]);
        const parisTime = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Europe/Paris' }).format(
          bookingDate,
        );
        expect(email).to.include({ channel: 'email', to: 'ada@example.com', reference: 'booking:b-42:1h' });
        expect(email?.subject).to.equal('Reminder: your booking in one hour at Studio 3');
        expect(email?.body).to.include(parisTime).and.include('Studio 3');
        expect(sms).to.include({ channel: 'sms', to: '+33612345678' });
        expect(sms?.body).to.include(parisTime);
      });

      it('formats the amount for its currency in a payment reminder', async () => {
        await startWorker(alwaysRemindGuard);
        const scheduler = new PaymentReminderScheduler(queue, soon(), [{ label: 'due', offsetMs: 0 }]);
        await scheduler.schedulePaymentReminders(
          payment({ dueDate: new Date(Date.now() + 300), amount: 1234.5, currency: 'JPY', locale: 'en-US' }),
        );
        await waitUntil(() => outcomes.has('payment:p-9:due'), { timeoutMs: 2000 + fixture.schedulingToleranceMs });
        const [email] = sender.send.getCalls().map((call) => call.args[0]);
        // Yen have no minor unit: Intl rounds to whole yen.
        expect(email?.subject).to.equal('Payment reminder: ¥1,235 for booking b-42');
        expect(email?.body).to.include('is due today');
      });

      it('skips without error when the guard says the booking was cancelled or the payment settled', async () => {
        const guard: ReminderGuard = { isBookingActive: async () => false, isPaymentOutstanding: async () => false };
        await startWorker(guard);
        await new BookingReminderScheduler(queue, soon(), [{ label: '15m', offsetMs: 0 }]).scheduleBookingReminders(
          booking({ bookingDate: new Date(Date.now() + 200) }),
        );
        await new PaymentReminderScheduler(queue, soon(), [{ label: 'due', offsetMs: 0 }]).schedulePaymentReminders(
          payment({ dueDate: new Date(Date.now() + 200) }),
        );
        await waitUntil(() => outcomes.size === 2, { timeoutMs: 2000 + fixture.schedulingToleranceMs });
        expect(outcomes.get('booking:b-42:15m')).to.deep.equal({ status: 'skipped', reason: 'booking cancelled' });
        expect(outcomes.get('payment:p-9:due')).to.deep.equal({ status: 'skipped', reason: 'payment settled' });
        expect(sender.send.called).to.equal(false);
        expect((await queue.getJob('booking:b-42:15m'))?.state).to.equal('completed');
      });
    });
  });
}
