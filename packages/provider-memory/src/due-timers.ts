/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days); reminders are often due months ahead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** Cancelled entries are swept out once there are this many and they outnumber the live ones. */
const SWEEP_THRESHOLD = 1024;

/** A callback waiting for its instant; `clear()` cancels it. */
export class DueTimer {
  cancelled = false;

  constructor(
    private readonly owner: DueTimers,
    readonly dueAt: number,
    readonly sequence: number,
    readonly callback: () => void,
  ) {}

  clear(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.owner.cancelled(this);
  }
}

/**
 * Every scheduled job's wake-up on ONE Node timer, armed for the earliest instant:
 * a min-heap by due time (then by order of arming). One setTimeout per job costs
 * about 400 bytes a job, which for the 100,000 reminders a migration may bring in
 * is tens of megabytes; an entry here costs a fraction of that.
 *
 * Callbacks due at the same millisecond run in the order they were armed. Any delay
 * works: beyond setTimeout's limit the timer is re-armed in steps.
 */
export class DueTimers {
  private heap: DueTimer[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The instant the Node timer is armed for, or Infinity. */
  private armedFor = Number.POSITIVE_INFINITY;
  private sequence = 0;
  private cancelledCount = 0;

  at(dueAt: number, callback: () => void): DueTimer {
    const entry = new DueTimer(this, dueAt, this.sequence++, callback);
    this.push(entry);
    if (dueAt < this.armedFor) this.arm();
    return entry;
  }

  /** Called by `DueTimer.clear()`: the entry stays in the heap, skipped, until swept or reached. */
  cancelled(_entry: DueTimer): void {
    this.cancelledCount += 1;
    if (this.cancelledCount === this.heap.length) {
      this.heap = [];
      this.cancelledCount = 0;
      this.disarm();
    } else if (this.cancelledCount >= SWEEP_THRESHOLD && this.cancelledCount * 2 > this.heap.length) {
      this.sweep();
    }
  }

  private arm(): void {
    this.disarm();
    const first = this.heap[0];
    if (first === undefined) return;
    this.armedFor = first.dueAt;
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, first.dueAt - Date.now()));
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const due: DueTimer[] = [];
    while (this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const entry = this.pop();
      if (entry.cancelled) this.cancelledCount -= 1;
      else due.push(entry);
    }
    // Armed again before the callbacks run: they may arm or clear entries themselves.
    this.arm();
    for (const entry of due) {
      entry.cancelled = true; // fired: a later clear() is a no-op
      entry.callback();
    }
  }

  private sweep(): void {
    const live = this.heap.filter((entry) => !entry.cancelled);
    this.heap = [];
    this.cancelledCount = 0;
    for (const entry of live) this.push(entry);
    this.arm();
  }

  // A binary min-heap by (dueAt, sequence).

  private static before(a: DueTimer, b: DueTimer): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.sequence < b.sequence);
  }

  private push(entry: DueTimer): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!DueTimers.before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): DueTimer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && DueTimers.before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && DueTimers.before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    return top;
  }
}
