import type { QueueProvider } from '@switchyard/core';
import type { Clock } from './clock.js';
import type { ReminderOffset } from './reminder-offset.js';
import type { PlannedReminder, ReminderPlan } from './reminder-plan.js';

/**
 * The reminders of one event (a booking, a payment): one job per offset, with ids
 * `<kind>:<eventId>:<label>` so that scheduling the series twice doubles nothing and
 * cancelling needs nothing but the event id.
 */
export class ReminderSeries {
  constructor(
    private readonly queue: QueueProvider,
    private readonly clock: Clock,
    private readonly jobName: string,
    private readonly kind: string,
    private readonly offsets: readonly ReminderOffset[],
  ) {}

  jobId(eventId: string, label: string): string {
    return `${this.kind}:${eventId}:${label}`;
  }

  /** Schedules every reminder still in the future; the rest are reported as skipped. */
  async schedule(eventId: string, eventDate: Date, data: object): Promise<ReminderPlan> {
    const now = this.clock.now().getTime();
    const plan: ReminderPlan = { scheduled: [], skipped: [] };
    for (const offset of this.offsets) {
      const reminder: PlannedReminder = {
        jobId: this.jobId(eventId, offset.label),
        reminder: offset.label,
        runAt: new Date(eventDate.getTime() - offset.offsetMs),
      };
      if (reminder.runAt.getTime() <= now) {
        plan.skipped.push(reminder);
        continue;
      }
      await this.queue.scheduleJob(
        this.jobName,
        { ...data, reminder: offset.label },
        {
          jobId: reminder.jobId,
          runAt: reminder.runAt,
        },
      );
      plan.scheduled.push(reminder);
    }
    return plan;
  }

  /**
   * Removes the event's reminders that have not gone out; returns the ids removed.
   * With `includeSent`, reminders already sent go too, so that the same ids can be
   * scheduled afresh (a booking that moved must be reminded again).
   */
  async cancel(eventId: string, { includeSent = false }: { includeSent?: boolean } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const offset of this.offsets) {
      const jobId = this.jobId(eventId, offset.label);
      if (!includeSent) {
        const job = await this.queue.getJob(jobId);
        if (job === null || job.state === 'completed') continue;
      }
      if (await this.queue.cancelJob(jobId)) removed.push(jobId);
    }
    return removed;
  }
}
