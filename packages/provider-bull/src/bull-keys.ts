/**
 * Every Redis key the Bull provider reads or writes, in one place.
 *
 * Bull's own, per job name (one Bull queue per name), under `<prefix>:<name>:`:
 *
 * | key                               | type   | holds                                      |
 * |-----------------------------------|--------|--------------------------------------------|
 * | `<prefix>:<name>:<bull job id>`   | hash   | one job (see `bull-job-id.ts` for the id)  |
 * | `<prefix>:<name>:wait` / `paused` | list   | waiting job ids (`paused` while paused)    |
 * | `<prefix>:<name>:active`          | list   | running job ids (+ a `<id>:lock` key each) |
 * | `<prefix>:<name>:delayed`         | zset   | scheduled job ids, score = due ms × 4096   |
 * | `<prefix>:<name>:completed` / `failed` | zset | finished job ids, score = finishedOn    |
 * | `<prefix>:<name>:repeat`          | zset   | repeatable keys, score = next run          |
 * | `<prefix>:<name>:id`             | string | Bull's id counter; SCANned for to find plain Bull's queues |
 * | `<prefix>:<name>:priority`, `meta-paused`, `stalled`, ... | | Bull's bookkeeping |
 *
 * The provider's own (see `BullJobIndex`), under `<prefix>::`, the Bull "queue" with an
 * empty name, which no job name can be (names are non-empty and hold no `:`):
 *
 * | key                           | type   | holds                                          |
 * |-------------------------------|--------|------------------------------------------------|
 * | `<prefix>::jobs`              | hash   | claimed job id -> JSON `IndexEntry`            |
 * | `<prefix>::names`             | set    | every job name ever used, plain Bull's queues too |
 * | `<prefix>::repeat-keys`       | hash   | Bull repeatable key -> job id (for export)     |
 * | `<prefix>::paused-everywhere` | string | set by `pause()` without a name                |
 */
export class BullKeys {
  readonly indexJobs: string;
  readonly indexNames: string;
  readonly indexRepeatKeys: string;
  readonly indexPausedEverywhere: string;
  /** What every key of a Bull queue starts with: `<prefix>:`, then `<name>:...`. */
  readonly queuePrefix: string;

  constructor(readonly prefix: string) {
    this.queuePrefix = `${prefix}:`;
    this.indexJobs = `${prefix}::jobs`;
    this.indexNames = `${prefix}::names`;
    this.indexRepeatKeys = `${prefix}::repeat-keys`;
    this.indexPausedEverywhere = `${prefix}::paused-everywhere`;
  }

  /** One of a Bull queue's lists or sets (`wait`, `delayed`, ...), or a job hash by its Bull id. */
  queue(name: string, suffix: string): string {
    return `${this.queuePrefix}${name}:${suffix}`;
  }
}
