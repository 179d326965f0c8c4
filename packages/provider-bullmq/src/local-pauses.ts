/**
 * The names this provider has paused, so that its workers hand back a job claimed as a
 * pause landed instead of running it.
 *
 * On PostgreSQL, BullMQ's claim (`move_to_active`) reads the queue's pause flag and
 * takes the next waiting job in two statements, each with a snapshot of its own: a
 * claim that read the flag just before a pause committed takes a job added just after
 * it (BullMQ's Redis claim is one Lua script, with no such gap). A job that starts on
 * a name paused here does not run: while the pause call is under way, and after it
 * while BullMQ's own flag still says paused. A name resumed meanwhile by another
 * process is no longer held here, and its jobs run. The flag is read only for a job
 * that starts on a held name, never per job.
 *
 * A pause made by another process is not known here, so there the gap stays BullMQ's.
 */
export class LocalPauses {
  /** Each held name, and whether BullMQ's pause for it has returned. */
  private readonly held = new Map<string, 'pausing' | 'paused'>();

  /** `isPaused`: BullMQ's own flag of a name's queue. */
  constructor(private readonly isPaused: (name: string) => Promise<boolean>) {}

  /** Holds `names`: called before BullMQ's pause is sent, so that no claim racing it runs. */
  hold(names: Iterable<string>): void {
    for (const name of names) this.held.set(name, 'pausing');
  }

  /** BullMQ's pause of `names` returned: from now on its flag says whether they are still paused. */
  confirm(names: Iterable<string>): void {
    for (const name of names) if (this.held.has(name)) this.held.set(name, 'paused');
  }

  /** Holds `names` no longer: on resume, and when a pause failed. */
  release(names: Iterable<string>): void {
    for (const name of names) this.held.delete(name);
  }

  /** True when `name` is held here (a map lookup, made for every job); then `holdsNow` says whether its job may start. */
  holds(name: string): boolean {
    return this.held.has(name);
  }

  /** True when a job of `name` must not start now. */
  async holdsNow(name: string): Promise<boolean> {
    const hold = this.held.get(name);
    if (hold === undefined) return false;
    if (hold === 'pausing' || (await this.isPaused(name))) return true;
    // Resumed by another process (and not paused here again since).
    if (this.held.get(name) === 'paused') this.held.delete(name);
    return false;
  }
}
