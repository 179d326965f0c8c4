import type { JobInfo, JobState, QueueProvider } from '@switchyard/core';
import type { NameDiscoverySettings } from './admin-options.js';
import { ConflictError } from './http-errors.js';

const PAGE_SIZE = 1000;
const DEFAULT_MAX_NAMES = 10_000;
/** Live states first, so a capped scan finds the names that have work before the ones with history only. */
const SCAN_ORDER: JobState[] = ['active', 'waiting', 'scheduled', 'failed', 'completed'];

/**
 * The job names the admin server shows.
 *
 * `QueueProvider` has no "list names" call, and adding one would change a contract
 * that every backend implements. So names are gathered from what the contract does
 * offer:
 * - names given up front (`jobNames`: typically your processors' names);
 * - a scan of `listJobs`, state by state, capped at `maxJobsPerState` jobs each and
 *   repeated at most every `refreshIntervalMs` (it is only triggered by a request
 *   that needs the names, so an idle server costs nothing);
 * - every name seen in passing: jobs returned by any listing or lookup, jobs
 *   scheduled, queues paused or resumed, and the provider's `completed` / `failed` /
 *   `retrying` / `stalled` events.
 *
 * A name stays known until the server restarts, even once its jobs are all gone: an
 * empty queue is still a queue to an operator (it may be paused, it may fill again).
 * A name whose only jobs lie beyond the scan cap shows up once it is seen another way,
 * or at once when listed in `jobNames`.
 */
export class KnownJobNames {
  private readonly names = new Set<string>();
  private readonly refreshIntervalMs: number;
  private readonly maxJobsPerState: number;
  private readonly maxNames: number;
  private lastScanAt = Number.NEGATIVE_INFINITY;
  private scanning: Promise<void> | null = null;

  constructor(
    private readonly provider: QueueProvider,
    seed: readonly string[] = [],
    settings: NameDiscoverySettings = {},
  ) {
    this.refreshIntervalMs = settings.refreshIntervalMs ?? 30_000;
    this.maxJobsPerState = settings.maxJobsPerState ?? 5_000;
    this.maxNames = settings.maxNames ?? DEFAULT_MAX_NAMES;
    for (const name of seed) this.note(name);
  }

  /** True when `name` is known, or there is room to remember it. */
  hasRoomFor(name: string): boolean {
    return this.names.has(name) || this.names.size < this.maxNames;
  }

  /** Throws `ConflictError` when `name` is new and the server knows as many names as it may. */
  assertRoomFor(name: string): void {
    if (!this.hasRoomFor(name)) {
      throw new ConflictError(
        `The admin server knows ${this.maxNames} job names, its limit (nameDiscovery.maxNames): '${name}' would be a new one`,
      );
    }
  }

  note(name: string): void {
    if (this.hasRoomFor(name)) this.names.add(name);
  }

  noteJobs(jobs: readonly Pick<JobInfo, 'name'>[]): void {
    for (const job of jobs) this.note(job.name);
  }

  /** Every known name, sorted; rescans first when the last scan is older than the refresh interval. */
  async list(): Promise<string[]> {
    if (Date.now() - this.lastScanAt >= this.refreshIntervalMs) await this.scan();
    return [...this.names].sort();
  }

  /** Concurrent callers share one scan. */
  private scan(): Promise<void> {
    this.scanning ??= this.scanStates().finally(() => {
      this.lastScanAt = Date.now();
      this.scanning = null;
    });
    return this.scanning;
  }

  private async scanStates(): Promise<void> {
    for (const state of SCAN_ORDER) {
      for (let offset = 0; offset < this.maxJobsPerState; offset += PAGE_SIZE) {
        const limit = Math.min(PAGE_SIZE, this.maxJobsPerState - offset);
        const page = await this.provider.listJobs({ states: [state], limit, offset });
        this.noteJobs(page);
        if (page.length < limit) break;
      }
    }
  }
}
