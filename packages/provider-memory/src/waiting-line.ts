/** An entry in a waiting line: lower priority number first, then lower sequence (FIFO). */
export interface WaitingEntry {
  id: string;
  priority: number;
  sequence: number;
}

/**
 * The jobs of one name that are due and wait for a free worker slot, kept sorted
 * so that taking the next job is O(1) and adding one is a binary search.
 */
export class WaitingLine {
  private readonly entries: WaitingEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  add(entry: WaitingEntry): void {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comesBefore(this.entries[middle]!, entry)) low = middle + 1;
      else high = middle;
    }
    this.entries.splice(low, 0, entry);
  }

  takeNext(): WaitingEntry | undefined {
    return this.entries.shift();
  }

  remove(id: string): boolean {
    const index = this.entries.findIndex((entry) => entry.id === id);
    if (index === -1) return false;
    this.entries.splice(index, 1);
    return true;
  }
}

function comesBefore(a: WaitingEntry, b: WaitingEntry): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.sequence < b.sequence);
}
