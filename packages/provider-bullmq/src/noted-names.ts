/**
 * A directory's record of the names whose jobs may have unclaimed ids (see
 * `JobDirectory.noteName`): each name is written once per process, and every job of
 * that name waits for the same write. A write that fails is made again by the next
 * job of its name.
 */
export class NotedNames {
  /** By name, the write that records it. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly record: (name: string) => Promise<unknown>) {}

  note(name: string): Promise<void> {
    let written = this.writes.get(name);
    if (written === undefined) {
      written = this.record(name).then(() => undefined);
      written.catch(() => this.writes.delete(name));
      this.writes.set(name, written);
    }
    return written;
  }
}
