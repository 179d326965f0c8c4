import type { RetentionPolicy } from '@switchyard/core';
import type { MemoryJob } from './memory-job.js';

type FinishedState = 'completed' | 'failed';

/**
 * The finished jobs of each name and state, oldest finish first, so that a finishing
 * job's retention policy (`removeOnComplete` / `removeOnFail`) can trim them without
 * looking at any other job. A job is in at most one list, and only while the provider
 * stores it: `forget` takes it out.
 */
export class FinishedJobs {
  private readonly lists = new Map<string, Set<MemoryJob>>();

  /**
   * Puts `job` (just finished, `job.finishedAt` set) at the end of its list and applies
   * `policy` to that list: returns the jobs it removes, oldest first (`job` alone when
   * the policy's count is 0), which the caller must forget.
   */
  add(job: MemoryJob & { state: FinishedState }, policy: RetentionPolicy, now: number): MemoryJob[] {
    if (policy.count === 0) return [job];
    const list = this.listOf(job.name, job.state);
    list.add(job);
    const removed: MemoryJob[] = [];
    const newestRemoved = policy.ageMs === null ? -Infinity : now - policy.ageMs;
    for (const finished of list) {
      const overCount = policy.count !== null && list.size - removed.length > policy.count;
      if (!overCount && finished.finishedAt! > newestRemoved) break;
      removed.push(finished);
    }
    return removed;
  }

  delete(job: MemoryJob): void {
    if (job.state !== 'completed' && job.state !== 'failed') return;
    const key = listKey(job.name, job.state);
    const list = this.lists.get(key);
    if (list === undefined) return;
    list.delete(job);
    // An empty list goes too: a name used once must not leave anything behind.
    if (list.size === 0) this.lists.delete(key);
  }

  private listOf(name: string, state: FinishedState): Set<MemoryJob> {
    const key = listKey(name, state);
    let list = this.lists.get(key);
    if (list === undefined) {
      list = new Set();
      this.lists.set(key, list);
    }
    return list;
  }
}

function listKey(name: string, state: FinishedState): string {
  // Names cannot hold ':' (core refuses it), so the key is unambiguous.
  return `${state}:${name}`;
}
