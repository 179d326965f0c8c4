import { KEEP_ALL, KEEP_NONE, keepsAll, type RetentionPolicy } from '@switchyard/core';
import type { AgendaJobDocument } from './agenda-job-document.js';

/**
 * A job document's retention policy for the state it finished in. Documents written
 * before count and age policies existed hold `removeOnComplete: true | false` and no
 * `removeOnFail`.
 */
export function retentionOfDocument(
  doc: Pick<AgendaJobDocument, 'removeOnComplete' | 'removeOnFail'>,
  state: 'completed' | 'failed',
): RetentionPolicy {
  const stored = state === 'completed' ? doc.removeOnComplete : doc.removeOnFail;
  if (stored === true) return KEEP_NONE;
  if (stored === false || stored === undefined || stored === null) return KEEP_ALL;
  return stored;
}

/**
 * A new document's retention fields: only the policies that remove something. Keeping
 * every job is what a missing field reads as, and two policy objects in every document
 * of a service that keeps its jobs made each insert about 65 bytes longer (a tenth),
 * for the server to parse, store and scan on every lock query.
 */
export function retentionFields(policies: {
  removeOnComplete: RetentionPolicy;
  removeOnFail: RetentionPolicy;
}): Pick<AgendaJobDocument, 'removeOnComplete' | 'removeOnFail'> {
  const fields: Pick<AgendaJobDocument, 'removeOnComplete' | 'removeOnFail'> = {};
  if (!keepsAll(policies.removeOnComplete)) fields.removeOnComplete = policies.removeOnComplete;
  if (!keepsAll(policies.removeOnFail)) fields.removeOnFail = policies.removeOnFail;
  return fields;
}
