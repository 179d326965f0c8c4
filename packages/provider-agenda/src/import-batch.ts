import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import type { ImportOptions } from '@switchyard/core';
import type { AgendaJobDocument, NewAgendaJobDocument } from './agenda-job-document.js';

/** What one bulk write did to each of its documents, by jobId, in input order. */
export interface ImportBatchResult {
  imported: string[];
  skipped: string[];
  replaced: string[];
  errors: { id: string; reason: string }[];
}

type WriteError = { index: number; code?: number; errmsg?: string };

/**
 * Writes a batch of imported jobs in one unordered bulk write, relying on the unique
 * jobId index rather than a read-then-write (which would race with producers):
 *
 * - `skip`: plain inserts; a duplicate-key error means the id exists and is skipped;
 * - `replace`: replace-or-insert of any job with that id that is not running; a
 *   running one makes the upsert collide with the unique index, and is reported.
 */
export async function writeImportBatch(
  jobs: Collection<AgendaJobDocument>,
  documents: NewAgendaJobDocument[],
  onExisting: NonNullable<ImportOptions['onExisting']>,
): Promise<ImportBatchResult> {
  const result: ImportBatchResult = { imported: [], skipped: [], replaced: [], errors: [] };
  if (documents.length === 0) return result;
  const operations: AnyBulkWriteOperation<AgendaJobDocument>[] = documents.map((document) =>
    onExisting === 'skip'
      ? { insertOne: { document: document as AgendaJobDocument } }
      : {
          replaceOne: {
            filter: { jobId: document.jobId, phase: { $ne: 'active' } },
            replacement: document as AgendaJobDocument,
            upsert: true,
          },
        },
  );
  let upserted = new Set<number>();
  let failures = new Map<number, WriteError>();
  try {
    // Acknowledged by a majority of a replica set's members: a migration deletes the
    // source's copy of what it imported, so a write a failover could roll back (w: 1)
    // would lose the job. On a standalone server this is the same as w: 1.
    const written = await jobs.bulkWrite(operations, { ordered: false, writeConcern: { w: 'majority' } });
    upserted = new Set(Object.keys(written.upsertedIds).map(Number));
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    upserted = new Set(Object.keys(error.result.upsertedIds).map(Number));
    const writeErrors = (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]) as WriteError[];
    failures = new Map(writeErrors.map((writeError) => [writeError.index, writeError]));
  }
  documents.forEach((document, index) => {
    const failure = failures.get(index);
    if (failure !== undefined) {
      if (failure.code !== 11000) {
        result.errors.push({ id: document.jobId, reason: failure.errmsg ?? 'write failed' });
      } else if (onExisting === 'skip') {
        result.skipped.push(document.jobId);
      } else {
        result.errors.push({ id: document.jobId, reason: 'the existing job is active and cannot be replaced' });
      }
    } else if (onExisting === 'skip' || upserted.has(index)) {
      result.imported.push(document.jobId);
    } else {
      result.replaced.push(document.jobId);
    }
  });
  return result;
}
