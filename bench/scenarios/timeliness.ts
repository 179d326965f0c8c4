/**
 * Timeliness: how late jobs start. JOBS jobs are scheduled, each for a known instant,
 * the instants spread evenly over SPREAD_MS starting LEAD_MS after the first
 * `scheduleJob` (so every job is stored well before it falls due); a started worker
 * (concurrency 50, a no-op processor) records, for each job, the time its processor
 * was called minus the instant it was due. Reported: p50, p95, p99 and max of that
 * lateness, per run.
 *
 * Early starts would be negative lateness; they count as they are (none is expected).
 */
import {
  addInWindows,
  deferred,
  freshProvider,
  withinMs,
  type BenchServers,
  type ProviderKind,
} from '../support/bench-backends.js';
import { percentile } from '../support/summary-stats.js';

export interface TimelinessSettings {
  jobs: number;
  spreadMs: number;
  /** From the first scheduleJob to the first due instant. */
  leadMs: number;
  concurrency: number;
  /** How much later than the last due instant the last job may start before the run fails. */
  graceMs: number;
}

export interface TimelinessResult {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** How long scheduling every job took; above `leadMs`, the earliest jobs were stored after they fell due. */
  schedulingMs: number;
}

const JOB_NAME = 'bench-timeliness';
const SCHEDULE_WINDOW = 100;

export async function runTimeliness(
  kind: ProviderKind,
  servers: BenchServers,
  settings: TimelinessSettings,
): Promise<TimelinessResult> {
  const { provider, dropStorage } = freshProvider(kind, servers, `${kind}-late`);
  const lateness: number[] = [];
  const allDone = deferred();
  provider.on('failed', (_job, error) => allDone.reject(error));
  provider.on('error', (error) => allDone.reject(error));
  try {
    await provider.connect();
    provider.registerProcessor(
      {
        name: JOB_NAME,
        process: async (job) => {
          lateness.push(Date.now() - (job.data as { dueAt: number }).dueAt);
          if (lateness.length === settings.jobs) allDone.resolve();
        },
      },
      { concurrency: settings.concurrency },
    );
    await provider.start();
    const scheduledAt = Date.now();
    const firstDue = scheduledAt + settings.leadMs;
    const dueAtOf = (index: number) => firstDue + Math.round((index * settings.spreadMs) / settings.jobs);
    await addInWindows(settings.jobs, SCHEDULE_WINDOW, (index) => {
      const dueAt = dueAtOf(index);
      return provider.scheduleJob(JOB_NAME, { dueAt, seq: index }, { runAt: new Date(dueAt) });
    });
    const schedulingMs = Date.now() - scheduledAt;
    const lastDue = dueAtOf(settings.jobs - 1);
    await withinMs(allDone.promise, lastDue - Date.now() + settings.graceMs, `${kind} timeliness`);
    return {
      p50: percentile(lateness, 50),
      p95: percentile(lateness, 95),
      p99: percentile(lateness, 99),
      max: Math.max(...lateness),
      schedulingMs,
    };
  } finally {
    await provider.close({ timeoutMs: 5000 });
    await dropStorage();
  }
}
