import { ObjectId, type Collection } from 'mongodb';
import type { JobParameters } from 'agenda';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { PLAIN_AGENDA_DOCUMENT } from './plain-agenda-job.js';

/** What Agenda's own save of a job's state sets (`MongoJobRepository.saveJobState`). */
export type AgendaStateFields = Pick<
  AgendaJobDocument,
  | 'lockedAt'
  | 'nextRunAt'
  | 'lastRunAt'
  | 'progress'
  | 'failReason'
  | 'failCount'
  | 'failedAt'
  | 'lastFinishedAt'
  | 'lastModifiedBy'
>;

/** An attempt's end, written by Agenda's save when the handler has returned; `agendaFields` go in the same write. */
export type AttemptEnding = (agendaFields: AgendaStateFields) => Promise<void>;

/**
 * The attempt's claim, made by Agenda's save as a job starts: the document as it was
 * just before (phase then 'active'; a plain Agenda document keeps having no phase), or
 * null when it was not claimable (finished, or cancelled and deleted since Agenda locked it).
 */
export interface AttemptClaim {
  before: AgendaJobDocument | null;
}

/**
 * Agenda saves a job's state when it starts the job and when the handler returns.
 * The provider has a write to make at both moments (claim the job; record the
 * attempt's outcome), and makes it in Agenda's save instead of a round trip of its
 * own: one MongoDB command, not two, at each end of every attempt.
 *
 * - start: Agenda's save of a job that is locked and has not been claimed here.
 *   Made as a findOneAndUpdate that also sets `phase: 'active'` where the phase
 *   allows it, and keeps the document before, which the handler then reads. A plain
 *   Agenda document (no phase) is saved as Agenda would, with the document before
 *   kept the same way (a second command, for plain jobs only);
 * - end: the ending the handler registered, if any; the plain save otherwise;
 * - any other save (the heartbeat's and progress's `touch()`): Agenda's own.
 */
export class AgendaStateSaves {
  private readonly claims = new WeakMap<JobParameters, AttemptClaim>();
  private readonly endings = new WeakMap<JobParameters, AttemptEnding>();

  constructor(private readonly jobs: Collection<AgendaJobDocument>) {}

  /** The repository's `saveJobState`; `plainSave` is Agenda's own. */
  async save(job: JobParameters, lastModifiedBy: string | undefined, plainSave: () => Promise<void>): Promise<void> {
    const ending = this.endings.get(job);
    if (ending !== undefined) {
      this.endings.delete(job);
      return ending(agendaStateFields(job, lastModifiedBy));
    }
    if (job.lockedAt === undefined || job.lockedAt === null || this.claims.has(job)) return plainSave();
    const _id = new ObjectId(String(job._id));
    const fields = agendaStateFields(job, lastModifiedBy);
    const before =
      (await this.jobs.findOneAndUpdate(
        { _id, name: job.name, phase: { $in: ['pending', 'active'] } },
        // Assigned, not spread: see `update` in job-attempt.ts.
        { $set: Object.assign({}, fields, { phase: 'active' as const }) },
        { returnDocument: 'before' },
      )) ??
      (await this.jobs.findOneAndUpdate(
        { _id, name: job.name, ...PLAIN_AGENDA_DOCUMENT },
        { $set: fields },
        { returnDocument: 'before' },
      ));
    this.claims.set(job, { before });
    // Not claimable: Agenda's own save, which fails as Agenda expects when the job is gone.
    if (before === null) await plainSave();
  }

  /** The claim made as this job started; undefined if Agenda started it without its save (it never does). */
  claimOf(job: JobParameters): AttemptClaim | undefined {
    return this.claims.get(job);
  }

  /** Makes `ending` the write of Agenda's next save of this job, the one after the handler. */
  endWith(job: JobParameters, ending: AttemptEnding): void {
    this.endings.set(job, ending);
  }
}

/** The fields `MongoJobRepository.saveJobState` sets, as it sets them (Agenda's view of the job). */
function agendaStateFields(job: JobParameters, lastModifiedBy: string | undefined): AgendaStateFields {
  const date = (value: Date | string | undefined | null) => (value ? new Date(value) : null);
  return {
    lockedAt: date(job.lockedAt),
    nextRunAt: date(job.nextRunAt),
    lastRunAt: date(job.lastRunAt),
    progress: job.progress ?? null,
    failReason: job.failReason ?? null,
    failCount: job.failCount ?? null,
    failedAt: date(job.failedAt),
    lastFinishedAt: date(job.lastFinishedAt),
    lastModifiedBy: lastModifiedBy ?? null,
  };
}
