import { KEEP_ALL, KEEP_NONE, type RetentionPolicy } from '@switchyard/core';
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
