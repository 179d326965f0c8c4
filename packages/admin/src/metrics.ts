import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  JOB_STATES,
  silentLogger,
  type JobInfo,
  type JobStats,
  type Logger,
  type QueueProvider,
} from '@switchyard/core';
import type { KnownJobNames } from './known-job-names.js';

/**
 * The Prometheus series of one admin server, in a registry of its own (so two servers
 * in one process, or a host app's own prom-client metrics, never collide).
 *
 * Collected at scrape time, from the provider, so they hold whichever process
 * processes the jobs:
 * - `switchyard_jobs{name,state}`: jobs per name and state (`getStats(name)` per known name)
 * - `switchyard_queue_paused{name}`: 1 when the name is paused
 * - `switchyard_provider_up{provider}` and `switchyard_provider_health_latency_seconds{provider}`: `checkHealth()`
 *
 * Counted from the provider's events, so they count only what THIS provider
 * instance reports (with the memory provider, or when the admin plugin is mounted in
 * the worker process, that is every job; a standalone admin process over Bull or
 * Agenda sees only the events its provider instance receives):
 * - `switchyard_jobs_processed_total{name}`: jobs that finished, completed or failed for good
 * - `switchyard_jobs_failed_total{name}`: jobs that failed their last attempt
 * - `switchyard_job_retries_total{name}`: failed attempts that will be retried
 * - `switchyard_jobs_stalled_total{name}`: attempts whose worker vanished
 * - `switchyard_job_turnaround_seconds{name,outcome}`: the processing-time histogram.
 *   Providers emit no event when an attempt starts and `JobInfo` carries no start
 *   time, so this measures `finishedAt - createdAt`: from scheduling to the end,
 *   queueing, delays and retries included. A scheduled job's delay is part of it;
 *   repeating jobs are left out (their `createdAt` is the first occurrence's).
 */
export interface AdminMetrics {
  readonly registry: Registry;
  /** Stops listening to the provider's events. */
  detach(): void;
}

const TURNAROUND_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600];

export function createAdminMetrics(
  provider: QueueProvider,
  names: KnownJobNames,
  logger: Logger = silentLogger,
): AdminMetrics {
  const registry = new Registry();
  const statsThisScrape = sharedPerScrape(async () => {
    const known = await names.list();
    const stats = await Promise.all(known.map(async (name) => [name, await provider.getStats(name)] as const));
    return new Map<string, JobStats>(stats);
  });
  const readStats = async (): Promise<Map<string, JobStats>> => {
    try {
      return await statsThisScrape();
    } catch (error) {
      // One failing backend call must not take the whole scrape down: the health gauge says why.
      logger.warn('admin metrics: could not read job counts', { error: (error as Error).message });
      return new Map();
    }
  };

  new Gauge({
    name: 'switchyard_jobs',
    help: 'Jobs per name and state, as the provider counts them at scrape time.',
    labelNames: ['name', 'state'] as const,
    registers: [registry],
    async collect() {
      const stats = await readStats();
      this.reset();
      for (const [name, counts] of stats) {
        for (const state of JOB_STATES) this.set({ name, state }, counts[state]);
      }
    },
  });
  new Gauge({
    name: 'switchyard_queue_paused',
    help: '1 when the job name is paused, else 0.',
    labelNames: ['name'] as const,
    registers: [registry],
    async collect() {
      const stats = await readStats();
      this.reset();
      for (const [name, counts] of stats) this.set({ name }, counts.paused ? 1 : 0);
    },
  });

  const healthThisScrape = sharedPerScrape(() => provider.checkHealth());
  new Gauge({
    name: 'switchyard_provider_up',
    help: "1 when the provider's health check passes, else 0.",
    labelNames: ['provider'] as const,
    registers: [registry],
    async collect() {
      const health = await healthThisScrape().catch(() => ({ healthy: false }));
      this.set({ provider: provider.name }, health.healthy ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_provider_health_latency_seconds',
    help: "How long the provider's last health check took.",
    labelNames: ['provider'] as const,
    registers: [registry],
    async collect() {
      const health = await healthThisScrape().catch(() => null);
      this.reset();
      if (health !== null) this.set({ provider: provider.name }, health.latencyMs / 1000);
    },
  });

  const processed = new Counter({
    name: 'switchyard_jobs_processed_total',
    help: 'Jobs that finished (completed, or failed their last attempt), as reported by this provider instance.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'switchyard_jobs_failed_total',
    help: 'Jobs that failed their last attempt, as reported by this provider instance.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'switchyard_job_retries_total',
    help: 'Failed attempts that will be retried, as reported by this provider instance.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const stalled = new Counter({
    name: 'switchyard_jobs_stalled_total',
    help: 'Attempts whose worker disappeared mid-run, as reported by this provider instance.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const turnaround = new Histogram({
    name: 'switchyard_job_turnaround_seconds',
    help:
      'Seconds from a job being scheduled to it completing or failing for good (queueing, delay and retries included; ' +
      'providers report no attempt start). Repeating jobs are not observed.',
    labelNames: ['name', 'outcome'] as const,
    buckets: TURNAROUND_BUCKETS,
    registers: [registry],
  });

  const observeFinished = (job: JobInfo, outcome: 'completed' | 'failed') => {
    names.note(job.name);
    processed.inc({ name: job.name });
    if (outcome === 'failed') failed.inc({ name: job.name });
    if (job.repeat === undefined && job.finishedAt !== null) {
      const seconds = (job.finishedAt.getTime() - job.createdAt.getTime()) / 1000;
      if (seconds >= 0) turnaround.observe({ name: job.name, outcome }, seconds);
    }
  };
  const onCompleted = (job: JobInfo) => observeFinished(job, 'completed');
  const onFailed = (job: JobInfo) => observeFinished(job, 'failed');
  const onRetrying = (job: JobInfo) => {
    names.note(job.name);
    retries.inc({ name: job.name });
  };
  const onStalled = (_jobId: string, name: string) => {
    names.note(name);
    stalled.inc({ name });
  };
  provider.on('completed', onCompleted);
  provider.on('failed', onFailed);
  provider.on('retrying', onRetrying);
  provider.on('stalled', onStalled);

  return {
    registry,
    detach() {
      provider.off('completed', onCompleted);
      provider.off('failed', onFailed);
      provider.off('retrying', onRetrying);
      provider.off('stalled', onStalled);
    },
  };
}

/**
 * prom-client runs every metric's `collect` at once for a scrape; this lets the ones
 * that need the same backend reads share a single round of calls.
 */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read().finally(() => {
      pending = null;
    });
    return pending;
  };
}
