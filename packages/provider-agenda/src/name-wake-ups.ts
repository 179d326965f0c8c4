import { InMemoryNotificationChannel, toJobId } from 'agenda';

/** Wake-up notifications carry a job id Agenda only logs. */
const WAKE_UP_JOB_ID = toJobId('000000000000000000000000');

/**
 * Wakes this worker's Agenda when a job of a name becomes due here, instead of
 * waiting for its poll: Agenda then locks jobs of that name until its lock limit
 * (through the notification channel it subscribes to, which it is given as
 * `notificationChannel`).
 *
 * At most one such fill runs per name. Fills that overlap each pass Agenda's lock
 * limit check before any of them has locked, lock one job each, and hand back those
 * over the limit: two commands for nothing. A wake-up that arrives while its name's
 * fill runs is kept, and one more fill follows it, since the running one may have
 * looked before that job was there.
 */
export class NameWakeUps {
  /** The channel to give Agenda. */
  readonly channel = new InMemoryNotificationChannel();
  /** Per name with a fill running: the earliest due date of the wake-ups that came meanwhile. */
  private readonly running = new Map<string, { again: Date | undefined }>();

  constructor(private readonly onFailure: (error: unknown) => void) {}

  wake(name: string, dueAt: Date): void {
    if (this.channel.state !== 'connected') return;
    const fill = this.running.get(name);
    if (fill !== undefined) {
      if (fill.again === undefined || dueAt < fill.again) fill.again = dueAt;
      return;
    }
    const current = { again: undefined as Date | undefined };
    this.running.set(name, current);
    // Resolves once Agenda has filled (its handler awaits the locking).
    this.channel
      .publish({ jobId: WAKE_UP_JOB_ID, jobName: name, nextRunAt: dueAt, priority: 0, timestamp: new Date() })
      .catch(this.onFailure)
      .finally(() => {
        this.running.delete(name);
        if (current.again !== undefined) this.wake(name, current.again);
      });
  }
}
