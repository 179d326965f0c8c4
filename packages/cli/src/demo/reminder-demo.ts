/**
 * The main job, end to end: the reminder worker on the embedded memory provider (or
 * whatever QUEUE_PROVIDER names), with time compressed so that a day of reminders
 * plays out in seconds. Prints a timeline of what was scheduled, sent, skipped and
 * cancelled. `switchyard demo` (`npm run demo`).
 */
import { TYPES, type QueueProvider } from '@switchyard/core';
import { startWorker, type Environment } from '@switchyard/container';
import {
  DEFAULT_BOOKING_REMINDER_OFFSETS,
  scaleOffsets,
  type Booking,
  type BookingReminderScheduler,
  type Notification,
  type NotificationSender,
  type Payment,
  type PaymentReminderScheduler,
  type ReminderGuard,
  type ReminderPlan,
} from '@switchyard/domain';
import { DOMAIN_TYPES } from '@switchyard/domain';

/** One story hour lasts a quarter of a real second: a story day is 6 s. */
const STORY_HOUR_MS = 250;
const HOUR = 3_600_000;
const scale = STORY_HOUR_MS / HOUR;

/** Plays the story on the provider `env` configures (memory unless QUEUE_PROVIDER says otherwise), then stops the worker. */
export async function runReminderDemo(env: Environment): Promise<void> {
  let startedAt = Date.now();
  /** A real instant `storyHours` story-hours from the start. */
  const storyTime = (storyHours: number) => new Date(startedAt + storyHours * STORY_HOUR_MS);

  function line(text: string): void {
    const real = ((Date.now() - startedAt) / 1000).toFixed(2).padStart(5);
    const story = (Date.now() - startedAt) / STORY_HOUR_MS;
    const storyLabel = `day ${Math.floor(story / 24) + 1} ${String(Math.floor(story % 24)).padStart(2, '0')}:${String(Math.floor((story % 1) * 60)).padStart(2, '0')}`;
    console.log(`${real}s  [${storyLabel}]  ${text}`);
  }

  // The service's side of things: which bookings were cancelled and which payments settled.
  const cancelledBookings = new Set<string>();
  const settledPayments = new Set<string>();
  const guard: ReminderGuard = {
    isBookingActive: async (bookingId) => !cancelledBookings.has(bookingId),
    isPaymentOutstanding: async (paymentId) => !settledPayments.has(paymentId),
  };
  const sender: NotificationSender = {
    async send(notification: Notification) {
      line(
        `SENT     ${notification.channel.padEnd(5)} to ${notification.to}: ${notification.subject ?? notification.body}`,
      );
    },
  };

  const worker = await startWorker({
    // An empty variable counts as unset, as it does for the container.
    env: { ...env, QUEUE_PROVIDER: env.QUEUE_PROVIDER || 'memory', LOG_LEVEL: env.LOG_LEVEL || 'warn' },
    configure(container) {
      container.rebind(DOMAIN_TYPES.NotificationSender).toConstantValue(sender);
      container.rebind(DOMAIN_TYPES.ReminderGuard).toConstantValue(guard);
      container
        .rebind(DOMAIN_TYPES.BookingReminderOffsets)
        .toConstantValue(scaleOffsets(DEFAULT_BOOKING_REMINDER_OFFSETS, scale));
      // Half a day before, on the day, one day late.
      container.rebind(DOMAIN_TYPES.PaymentReminderOffsets).toConstantValue(
        scaleOffsets(
          [
            { label: 'before-12h', offsetMs: 12 * HOUR },
            { label: 'due', offsetMs: 0 },
            { label: 'overdue-1d', offsetMs: -24 * HOUR },
          ],
          scale,
        ),
      );
    },
  });
  startedAt = Date.now();
  const queue = worker.container.get<QueueProvider>(TYPES.QueueProvider);
  const bookings = worker.container.get<BookingReminderScheduler>(DOMAIN_TYPES.BookingReminderScheduler);
  const payments = worker.container.get<PaymentReminderScheduler>(DOMAIN_TYPES.PaymentReminderScheduler);
  console.log(`Switchyard demo on the ${queue.name} provider: one story hour = ${STORY_HOUR_MS} ms\n`);

  let finished = 0;
  let skipped = 0;
  queue.on('completed', (job, result) => {
    finished += 1;
    const outcome = result as { status: string; reason?: string };
    if (outcome.status === 'skipped') {
      skipped += 1;
      line(`SKIPPED  ${job.id}: ${outcome.reason}`);
    }
  });
  queue.on('failed', (job, error) => {
    finished += 1;
    line(`FAILED   ${job.id}: ${error.message}`);
  });

  const customer = { customerId: 'c-1', customerEmail: 'ada@example.com', timeZone: 'Europe/Paris' };
  const booking = (bookingId: string, storyHours: number, location: string): Booking => ({
    ...customer,
    bookingId,
    bookingDate: storyTime(storyHours),
    location,
  });
  const payment = (paymentId: string, bookingId: string, storyHours: number, amount: number): Payment => ({
    ...customer,
    paymentId,
    bookingId,
    amount,
    currency: 'EUR',
    dueDate: storyTime(storyHours),
    locale: 'fr-FR',
  });

  const report = (what: string, plan: ReminderPlan) => {
    line(
      `SCHEDULE ${what}: ${plan.scheduled.map((r) => r.reminder).join(', ') || 'nothing'}` +
        (plan.skipped.length > 0 ? ` (skipped, already past: ${plan.skipped.map((r) => r.reminder).join(', ')})` : ''),
    );
  };

  report('booking b-1 in 25 h at Studio 3', await bookings.scheduleBookingReminders(booking('b-1', 25, 'Studio 3')));
  await bookings.scheduleBookingReminders(booking('b-1', 25, 'Studio 3'));
  const b1Jobs = (await queue.listJobs()).filter((job) => job.id.startsWith('booking:b-1:')).length;
  line(`SCHEDULE booking b-1 again: idempotent, still ${b1Jobs} jobs for it`);
  report('booking b-2 in 30 min at Studio 1', await bookings.scheduleBookingReminders(booking('b-2', 0.5, 'Studio 1')));
  report('booking b-3 in 26 h at Studio 2', await bookings.scheduleBookingReminders(booking('b-3', 26, 'Studio 2')));
  report('booking b-4 in 27 h at Studio 4', await bookings.scheduleBookingReminders(booking('b-4', 27, 'Studio 4')));
  report(
    'payment p-1 of 120.50 EUR due in 24 h',
    await payments.schedulePaymentReminders(payment('p-1', 'b-1', 24, 120.5)),
  );
  report('payment p-2 of 80 EUR due in 30 h', await payments.schedulePaymentReminders(payment('p-2', 'b-3', 30, 80)));

  const removed = await bookings.cancelBookingReminders('b-3');
  line(`CANCEL   booking b-3: removed ${removed.join(', ')}`);

  // Booking b-4 moves a day later: its reminders are replaced, not added.
  const before = (await queue.listJobs({ names: ['booking-reminder'] })).length;
  const moved = await bookings.rescheduleBookingReminders(booking('b-4', 40, 'Studio 4'));
  line(
    `MOVE     booking b-4 to 40 h: ${moved.scheduled.length} reminders, ${before} -> ${(await queue.listJobs({ names: ['booking-reminder'] })).length} booking jobs in all`,
  );

  // Later in the story: b-1's customer cancels after the day-before reminder went out,
  // p-1 is paid on time (reminders cancelled), p-2 is settled through another channel
  // without anyone cancelling its reminders (the guard catches them).
  setTimeout(() => {
    cancelledBookings.add('b-1');
    line('EVENT    booking b-1 cancelled by the customer (reminders left to the guard)');
  }, 20 * STORY_HOUR_MS);
  setTimeout(() => {
    void payments.cancelPaymentReminders('p-1').then((ids) => {
      line(`CANCEL   payment p-1 paid: removed ${ids.join(', ') || 'nothing'}`);
    });
  }, 22 * STORY_HOUR_MS);
  setTimeout(() => {
    settledPayments.add('p-2');
    line('EVENT    payment p-2 settled by bank transfer (reminders left to the guard)');
  }, 23 * STORY_HOUR_MS);

  // Done when the story is over and no reminder is left to run.
  const deadline = Date.now() + 50_000;
  for (;;) {
    const stats = await queue.getStats();
    const storyOver = Date.now() > storyTime(24).getTime();
    if (storyOver && stats.scheduled + stats.waiting + stats.active === 0) break;
    if (Date.now() > deadline) throw new Error(`demo did not finish in time: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  line(`DONE     ${finished} reminders processed: ${finished - skipped} sent, ${skipped} skipped by the guard`);
  await worker.stop('demo finished');
}
