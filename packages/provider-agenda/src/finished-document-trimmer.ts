/**
 * Applies count and age retention policies to the finished documents of a name, as
 * the memory and Bull providers do: those that finished `ageMs` or longer ago are
 * deleted, then all but the newest `count` (by `finishedAt`, then `_id`). Agenda has
 * no retention of its own; these are bounded deletes on the `switchyard_phase_finished`
 * and `switchyard_name_phase_due` indexes.
 *
 * Batched as the Bull provider's trimmer is: the trims asked for within
 * `TRIM_DELAY_MS` run once, with the policy of the last job that finished, so removal
 * happens within about that long after the finish that calls for it. `flush()` runs
 * what is pending (on close).
 */
import type { Collection } from 'mongodb';
import type { RetentionPolicy } from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';

/** How long a trim waits for more finishes to share its deletes. */
export const TRIM_DELAY_MS = 50;

type FinishedPhase = 'completed' | 'failed';

export class FinishedDocumentTrimmer {
  private readonly pending = new Map<string, { name: string; phase: FinishedPhase; policy: RetentionPolicy }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: () => Collection<AgendaJobDocument>,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** A job of `name` finished in `phase` with a count or age policy. */
  request(name: string, phase: FinishedPhase, policy: RetentionPolicy): void {
    this.pending.set(`${phase}:${name}`, { name, phase, policy });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.trimPending()).catch(this.reportError);
    }, TRIM_DELAY_MS);
  }

  /** Runs the pending trims now, and waits for any under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.running.then(() => this.trimPending()).catch(this.reportError);
    await this.running;
  }

  private async trimPending(): Promise<void> {
    const trims = [...this.pending.values()];
    this.pending.clear();
    const now = Date.now();
    await Promise.all(trims.map(({ name, phase, policy }) => this.trim(name, phase, policy, now)));
  }

  private async trim(name: string, phase: FinishedPhase, policy: RetentionPolicy, now: number): Promise<void> {
    const jobs = this.jobs();
    const finished = { name, phase };
    if (policy.ageMs !== null) {
      await jobs.deleteMany({ ...finished, finishedAt: { $lte: new Date(now - policy.ageMs) } });
    }
    if (policy.count === null) return;
    // The newest document past `count`: it and everything older go.
    const boundary = await jobs
      .find(finished, { projection: { _id: 1, finishedAt: 1 }, sort: { finishedAt: -1, _id: -1 } })
      .skip(policy.count)
      .limit(1)
      .next();
    if (boundary === null || boundary.finishedAt === null) return;
    await jobs.deleteMany({
      ...finished,
      $or: [
        { finishedAt: { $lt: boundary.finishedAt } },
        { finishedAt: boundary.finishedAt, _id: { $lte: boundary._id } },
      ],
    });
  }
}
