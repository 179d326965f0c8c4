import type { Collection, Db } from 'mongodb';

/** One flag: a name's, or `EVERY_NAME`'s for `pause()` / `resume()` without a name. */
interface PauseFlagDocument {
  _id: string;
  paused: boolean;
}

/**
 * How long a snapshot of the flags may stand in for a fresh read before a job's insert,
 * counted from the moment its read was sent. `pause()` lasts at least
 * `PAUSE_SETTLES_AFTER_MS` after its flag is written (see `AgendaQueueProvider`), so
 * when it returns, no provider anywhere still holds a snapshot read before that flag:
 * a lease, which keeps a producer's calls to two round trips without ever making a job
 * of a name paused before the call claimable.
 */
export const SNAPSHOT_LEASE_MS = 100;

/** More than the lease, with room for two processes' clocks to run at slightly different rates. */
export const PAUSE_SETTLES_AFTER_MS = 125;

/** The flag of `pause()` without a name; a name's own flag overrides it. */
const EVERY_NAME = 'every';

/** A name's flag id; prefixed so that no job name (not even 'every') can be taken for EVERY_NAME. */
function flagId(name: string): string {
  return `name:${name}`;
}

/**
 * Which job names are paused, kept in MongoDB next to the jobs so that a pause holds
 * for every provider on the same collection (as a Bull queue's pause does) and for
 * names first used later. The jobs themselves are held by Agenda's `disabled` flag;
 * this collection is what new jobs are checked against.
 */
export class PauseFlags {
  private readonly flags: Collection<PauseFlagDocument>;
  private nextSnapshot: Promise<(name: string) => boolean> | undefined;
  /** The newest snapshot read here, and when its read was sent (`performance.now()`). */
  private newest: { sentAt: number; isPaused: (name: string) => boolean } | undefined;
  /** When this provider's last write of a flag was answered: reads sent before then are not kept. */
  private lastWrittenAt = -Infinity;

  constructor(db: Db, jobsCollection: string) {
    this.flags = db.collection<PauseFlagDocument>(`${jobsCollection}_paused`);
  }

  /** `name` paused, or every name when none is given. A name's own pause is kept by `pause()`. */
  async set(name: string | undefined, paused: boolean): Promise<void> {
    if (name === undefined) {
      // pause() / resume() of everything: per-name exceptions no longer apply.
      await this.flags.deleteMany({ _id: { $ne: EVERY_NAME } });
    }
    await this.flags.updateOne(
      { _id: name === undefined ? EVERY_NAME : flagId(name) },
      { $set: { paused } },
      { upsert: true },
    );
    this.newest = undefined;
    this.lastWrittenAt = performance.now();
  }

  async isPaused(name: string): Promise<boolean> {
    return this.resolve(name, await this.flags.find({ _id: { $in: [flagId(name), EVERY_NAME] } }).toArray());
  }

  /** Every flag at once, for checking many names (an import batch). */
  async snapshot(): Promise<(name: string) => boolean> {
    const sentAt = performance.now();
    const all = await this.flags.find({}).toArray();
    const isPaused = (name: string) => this.resolve(name, all);
    if (sentAt > this.lastWrittenAt && (this.newest === undefined || sentAt > this.newest.sentAt)) {
      this.newest = { sentAt, isPaused };
    }
    return isPaused;
  }

  /**
   * The flags as a snapshot read less than `SNAPSHOT_LEASE_MS` ago says (every
   * `scheduleJob`'s read after its insert is one), else a fresh `sharedSnapshot()`.
   */
  leasedSnapshot(): ((name: string) => boolean) | Promise<(name: string) => boolean> {
    const newest = this.newest;
    if (newest !== undefined && performance.now() - newest.sentAt < SNAPSHOT_LEASE_MS) return newest.isPaused;
    return this.sharedSnapshot();
  }

  /**
   * A snapshot read after this call, shared with every caller until it is sent (on
   * the next turn of the event loop): producers that each need the flags as they are
   * after their own write (`scheduleJob`) make one read between them, not one each.
   */
  sharedSnapshot(): Promise<(name: string) => boolean> {
    this.nextSnapshot ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.nextSnapshot = undefined;
      return this.snapshot();
    });
    return this.nextSnapshot;
  }

  /** Whether `pause()` without a name is in force. */
  async isPausedEverywhere(): Promise<boolean> {
    return (await this.flags.findOne({ _id: EVERY_NAME }))?.paused === true;
  }

  private resolve(name: string, flags: PauseFlagDocument[]): boolean {
    const own = flags.find((flag) => flag._id === flagId(name));
    if (own !== undefined) return own.paused;
    return flags.find((flag) => flag._id === EVERY_NAME)?.paused === true;
  }
}
