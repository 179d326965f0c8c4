import { toError } from '../errors.js';
import { assertJsonData } from '../json-data.js';
import { emptyImportReport, type ImportReport, type JobSnapshot } from '../job-snapshot.js';
import { validateSnapshot } from '../job-snapshot-codec.js';

/** Stores one batch of checked snapshots; says what became of each (by id). Throws only when the backend cannot be reached. */
export type ImportBatchWriter = (snapshots: JobSnapshot[], onExisting: 'skip' | 'replace') => Promise<ImportReport>;

export interface ImportPipelineOptions {
  onExisting: 'skip' | 'replace';
  /** Snapshots per `writeBatch` call: at most this many are held in memory, however long the stream. */
  batchSize: number;
  maxPayloadBytes: number;
  writeBatch: ImportBatchWriter;
}

/**
 * `importJobs` for every provider: each candidate is checked (`validateSnapshot`, the
 * payload limit, and no `active` snapshot: that job runs elsewhere and cannot be taken
 * over); a bad one goes to the report's `errors` and the rest carry on. The good ones
 * reach the provider's `writeBatch` in batches, and their reports are merged in order.
 */
export async function importInBatches(
  candidates: AsyncIterable<unknown> | Iterable<unknown>,
  options: ImportPipelineOptions,
): Promise<ImportReport> {
  const report = emptyImportReport();
  let batch: JobSnapshot[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const written = await options.writeBatch(batch, options.onExisting);
    batch = [];
    report.imported.push(...written.imported);
    report.skipped.push(...written.skipped);
    report.replaced.push(...written.replaced);
    report.errors.push(...written.errors);
  };
  for await (const candidate of candidates) {
    try {
      const snapshot = validateSnapshot(candidate);
      assertJsonData(snapshot.data, options.maxPayloadBytes);
      if (snapshot.state === 'active') throw new Error('an active job is running elsewhere and cannot be imported');
      batch.push(snapshot);
    } catch (error) {
      report.errors.push({ id: idOf(candidate), reason: toError(error).message });
      continue;
    }
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  return report;
}

function idOf(candidate: unknown): string {
  const id = (candidate as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '(no id)';
}
