/** What a reminder processor did; stored as the job's result. */
export type ReminderOutcome = { status: 'sent'; channels: ('email' | 'sms')[] } | { status: 'skipped'; reason: string };
