/**
 * The ledger of the reliability tests: a file the processors append one line to for
 * every attempt that finished its work (`<jobId> <pid>`), opened with O_APPEND by
 * every worker process, so lines from processes that run at once (or are killed
 * mid-write) never overwrite each other. It survives the workers, so it tells what
 * really ran: which jobs completed, and which ran more than once.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface LedgerSummary {
  /** Finished attempts recorded (a job run twice counts twice). */
  runs: number;
  /** Distinct job ids recorded. */
  ids: Set<string>;
  /** Jobs recorded more than once. */
  duplicatedJobs: number;
  /** Runs beyond the first, over every job (`runs - ids.size`). */
  extraRuns: number;
}

/** Appends one finished attempt; `appendFileSync` with flag 'a' opens with O_APPEND. */
export function recordRun(ledgerPath: string, jobId: string): void {
  appendFileSync(ledgerPath, `${jobId} ${process.pid}\n`, { flag: 'a' });
}

export function readLedger(ledgerPath: string): LedgerSummary {
  const counts = new Map<string, number>();
  if (existsSync(ledgerPath)) {
    for (const line of readFileSync(ledgerPath, 'utf8').split('\n')) {
      // A line cut short by a SIGKILL mid-write has no pid: the attempt did not finish recording.
      const [id, pid] = line.split(' ');
      if (id === undefined || id === '' || pid === undefined || pid === '') continue;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  let runs = 0;
  let duplicatedJobs = 0;
  for (const count of counts.values()) {
    runs += count;
    if (count > 1) duplicatedJobs += 1;
  }
  return { runs, ids: new Set(counts.keys()), duplicatedJobs, extraRuns: runs - counts.size };
}
