/** setTimeout takes at most 2^31 - 1 ms (about 24.8 days); reminders are often due months ahead. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;
/** Cancelled entries are swept out once there are this many and they outnumber the live ones. */
const SWEEP_THRESHOLD = 1024;

/**
 * Something `DueTimers` can wake. It holds the ticket of its pending wake-up, or
 * `undefined` when it has none; only `DueTimers` writes it. An item has at most one
 * wake-up at a time, in one `DueTimers`.
 */
export interface DueItem {
  dueTicket: number | undefined;
}

/**
 * Every scheduled job's wake-up on ONE Node timer, armed for the earliest instant:
 * a min-heap by due time (then by order of arming). One setTimeout per job costs
 * about 400 bytes a job, which for the 100,000 reminders a migration may bring in
 * is tens of megabytes; an entry here costs a fraction of that.
 *
 * For the same reason an entry is no object of its own and has no callback of its
 * own: the heap is three parallel arrays (due instants, unboxed; tickets; items), and
 * one handler, given at construction, gets every item that falls due. That is about
 * 24 bytes an entry, where an entry object with a closure over its job took about 200.
 *
 * Items due at the same millisecond are handed over in the order they were armed. Any
 * delay works: beyond setTimeout's limit the timer is re-armed in steps.
 */
export class DueTimers<T extends DueItem> {
  // The heap: entry i is (dueAts[i], tickets[i], items[i]).
  private dueAts: number[] = [];
  /** Increasing in order of arming: breaks ties between equal due instants. */
  private tickets: number[] = [];
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The instant the Node timer is armed for, or Infinity. */
  private armedFor = Number.POSITIVE_INFINITY;
  private nextTicket = 0;
  /** Entries in the heap whose item no longer holds their ticket (cleared, or armed again). */
  private cancelledCount = 0;

  constructor(private readonly onDue: (item: T, dueAt: number) => void) {}

  /** Wakes `item` at `dueAt` (epoch ms), in place of any wake-up it had. */
  at(item: T, dueAt: number): void {
    this.clear(item);
    const ticket = this.nextTicket++;
    item.dueTicket = ticket;
    this.push(dueAt, ticket, item);
    if (dueAt < this.armedFor) this.arm();
  }

  /**
   * Cancels `item`'s wake-up; a no-op when it has none (never armed, cleared, or fired).
   * Its entry stays in the heap, skipped, until swept or reached.
   */
  clear(item: T): void {
    if (item.dueTicket === undefined) return;
    item.dueTicket = undefined;
    this.cancelledCount += 1;
    if (this.cancelledCount === this.items.length) {
      this.dueAts = [];
      this.tickets = [];
      this.items = [];
      this.cancelledCount = 0;
      this.disarm();
    } else if (this.cancelledCount >= SWEEP_THRESHOLD && this.cancelledCount * 2 > this.items.length) {
      this.sweep();
    }
  }

  private arm(): void {
    this.disarm();
    if (this.items.length === 0) return;
    const first = this.dueAts[0]!;
    this.armedFor = first;
    const delay = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, first - Date.now()));
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
    const dueItems: T[] = [];
    const dueInstants: number[] = [];
    while (this.items.length > 0 && this.dueAts[0]! <= now) {
      const dueAt = this.dueAts[0]!;
      const ticket = this.tickets[0]!;
      const item = this.items[0]!;
      this.removeTop();
      if (item.dueTicket !== ticket) {
        this.cancelledCount -= 1;
        continue;
      }
      item.dueTicket = undefined; // fired: a later clear() is a no-op
      dueItems.push(item);
      dueInstants.push(dueAt);
    }
    // Armed again before the handler runs: it may arm or clear items itself.
    this.arm();
    for (let index = 0; index < dueItems.length; index += 1) this.onDue(dueItems[index]!, dueInstants[index]!);
  }

  private sweep(): void {
    const { dueAts, tickets, items } = this;
    this.dueAts = [];
    this.tickets = [];
    this.items = [];
    this.cancelledCount = 0;
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index]!;
      if (item.dueTicket === tickets[index]) this.push(dueAts[index]!, tickets[index]!, item);
    }
    this.arm();
  }

  // A binary min-heap by (dueAt, ticket), over the three arrays.

  private before(a: number, b: number): boolean {
    const dueA = this.dueAts[a]!;
    const dueB = this.dueAts[b]!;
    return dueA < dueB || (dueA === dueB && this.tickets[a]! < this.tickets[b]!);
  }

  private swap(a: number, b: number): void {
    const { dueAts, tickets, items } = this;
    const dueAt = dueAts[a]!;
    dueAts[a] = dueAts[b]!;
    dueAts[b] = dueAt;
    const ticket = tickets[a]!;
    tickets[a] = tickets[b]!;
    tickets[b] = ticket;
    const item = items[a]!;
    items[a] = items[b]!;
    items[b] = item;
  }

  private push(dueAt: number, ticket: number, item: T): void {
    this.dueAts.push(dueAt);
    this.tickets.push(ticket);
    this.items.push(item);
    let index = this.items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Drops entry 0: the last entry takes its place and sinks to where it belongs. */
  private removeTop(): void {
    const last = this.items.length - 1;
    if (last > 0) this.swap(0, last);
    this.dueAts.pop();
    this.tickets.pop();
    this.items.pop();
    const size = this.items.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < size && this.before(left, smallest)) smallest = left;
      if (right < size && this.before(right, smallest)) smallest = right;
      if (smallest === index) break;
      this.swap(index, smallest);
      index = smallest;
    }
  }
}
