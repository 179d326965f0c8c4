/** What a scheduler did with one reminder. */
export interface PlannedReminder {
  jobId: string;
  reminder: string;
  runAt: Date;
}

/** The outcome of scheduling the reminders of one booking or payment. */
export interface ReminderPlan {
  scheduled: PlannedReminder[];
  /** Reminders whose time had already passed: not scheduled. */
  skipped: PlannedReminder[];
}
