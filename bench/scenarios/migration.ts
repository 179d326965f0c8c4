/**
 * Migration: JOBS scheduled jobs (due tomorrow, two job names, small payloads) are
 * seeded into a source provider once; then each run copies them, in a child
 * process of its own, to a fresh target with `migrateJobs` (mode copy, the CLI's
 * default, batch 500), which also verifies every id on the target. Copy leaves the
 * source as it was, so every run starts from the same source.
 *
 * The child reports the time `migrateJobs` took (connecting excluded) and its own
 * peak RSS (`process.resourceUsage().maxRSS`), which is what "the migrating process"
 * needs in memory: export pages, one import batch, the verified ids, and, with the
 * memory provider as target, the migrated jobs themselves.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '@switchyard/core';
import {
  freshProvider,
  freshRedisPrefix,
  freshMongoUri,
  deleteRedisPrefix,
  dropMongoDatabase,
  type BenchServers,
} from '../support/bench-backends.js';

/** `bullmq`: BullMQQueueProvider on Redis (the bench's Redis, a prefix of its own). */
export type MigrationEnd = 'bull' | 'agenda' | 'memory' | 'bullmq';

export interface MigrationPair {
  from: Exclude<MigrationEnd, 'memory' | 'bullmq'>;
  to: MigrationEnd;
}

export interface MigrationResult {
  jobsPerSecond: number;
  elapsedMs: number;
  peakRssMiB: number;
}

/** What the child prints as its last line. */
export interface MigrationChildReport {
  elapsedMs: number;
  maxRssKiB: number;
  complete: boolean;
  verified: number;
  failed: number;
}

export const MIGRATION_JOB_NAMES = ['booking-reminder', 'payment-reminder'] as const;

/** A seeded source: where it is, and how to remove it. */
export interface SeededSource {
  kind: MigrationPair['from'];
  /** The Bull key prefix or the MongoDB URI. */
  location: string;
  jobs: number;
  seedMs: number;
  drop(): Promise<void>;
}

function* seedSnapshots(count: number): Generator<JobSnapshot> {
  const createdAt = new Date().toISOString();
  const tomorrow = Date.now() + 24 * 3600_000;
  for (let index = 0; index < count; index += 1) {
    yield {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      id: `seed-${index}`,
      name: MIGRATION_JOB_NAMES[index % MIGRATION_JOB_NAMES.length]!,
      data: { bookingId: `booking-${index}`, customerId: `customer-${index % 977}`, remindAt: 'P1D' },
      state: 'scheduled',
      // Spread over an hour, so that due times differ as real reminders' do.
      runAt: new Date(tomorrow + (index % 3600) * 1000).toISOString(),
      priority: 5,
      attempts: 3,
      attemptsMade: 0,
      backoff: null,
      timeoutMs: null,
      repeat: null,
      createdAt,
    };
  }
}

/** Seeds `jobs` scheduled jobs into a fresh source through the provider's own `importJobs` (streamed). */
export async function seedMigrationSource(
  kind: MigrationPair['from'],
  servers: BenchServers,
  jobs: number,
): Promise<SeededSource> {
  const { provider, location, dropStorage } = freshProvider(kind, servers, `${kind}-migsrc`);
  const startedAt = performance.now();
  try {
    await provider.connect();
    const report = await provider.importJobs(seedSnapshots(jobs));
    if (report.imported.length !== jobs) {
      throw new Error(
        `seeding ${kind}: ${report.imported.length} of ${jobs} imported; first error: ${report.errors[0]?.reason ?? 'none'}`,
      );
    }
  } finally {
    await provider.close({ timeoutMs: 5000 });
  }
  return { kind, location, jobs, seedMs: performance.now() - startedAt, drop: dropStorage };
}

const CHILD_SCRIPT = fileURLToPath(new URL('./migration-child.mjs', import.meta.url));

/** One migration run in a child process, to a fresh target; the target is dropped afterwards. */
export async function runMigrationInChild(
  source: SeededSource,
  to: MigrationEnd,
  servers: BenchServers,
  options: { timeoutMs: number; cpuProfileDir?: string },
): Promise<MigrationResult> {
  const target =
    to === 'bull' || to === 'bullmq'
      ? freshRedisPrefix(`${to}-migdst`)
      : to === 'agenda'
        ? freshMongoUri(servers.mongoUri, 'agenda_migdst')
        : 'memory';
  const args = [
    ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir]),
    CHILD_SCRIPT,
    '--from',
    source.kind,
    '--source',
    source.location,
    '--to',
    to,
    '--target',
    target,
    '--redis-url',
    servers.redisUrl,
  ];
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        { timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) => {
          if (error) reject(new Error(`migration child ${source.kind} -> ${to} failed: ${error.message}\n${err}`));
          else resolve(out);
        },
      );
    });
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    const report = JSON.parse(lastLine) as MigrationChildReport;
    if (!report.complete || report.verified !== source.jobs) {
      throw new Error(
        `migration ${source.kind} -> ${to} incomplete: ${report.verified} of ${source.jobs} verified, ${report.failed} failed`,
      );
    }
    return {
      elapsedMs: report.elapsedMs,
      jobsPerSecond: source.jobs / (report.elapsedMs / 1000),
      peakRssMiB: report.maxRssKiB / 1024,
    };
  } finally {
    if (to === 'bull' || to === 'bullmq') await deleteRedisPrefix(servers.redisUrl, target);
    if (to === 'agenda') await dropMongoDatabase(target);
  }
}
