/**
 * The ids of jobs that plain Bull code added (another team's producer on the same
 * prefix: `queue.add('welcome', data)`, with an id from Bull's counter, `'1'`, `'2'`
 * ..., or one of its own).
 *
 * Bull's ids are unique per queue; the contract's are unique per provider. So a plain
 * job is known to Switchyard as `<queue>:<bull id>` (`email-notifications:7`): every
 * listing, export and event shows that id, and it is stable, so a migration run again
 * finds the job it copied before. Job names never hold `:`, so the queue is everything
 * before the first `:`.
 *
 * `getJob`, `cancelJob` and `retryJob` also take the bare Bull id (`'7'`) when exactly
 * one queue holds a plain job of that id; when several do, they reject with a
 * `ValidationError` (field `jobId`) naming the queues, and act on neither. A caller's
 * id that Switchyard stored comes first: an id it has claimed is never read as a
 * plain one. And the other way round, scheduling an id that a plain job holds, bare or
 * qualified, in any queue, adds nothing and returns the id (the contract's idempotent
 * producer), as for an id of Switchyard's own.
 *
 * A Bull job is Switchyard's when its options name its caller's id (`switchyardId`),
 * when its Bull id is a generated UUID or an encoded id (`~...`, see `bull-job-id.ts`),
 * or, for jobs an earlier version wrote, when the job index claims its Bull id for its
 * queue. Every other job is a plain one.
 *
 * Repeat occurrences likewise: Bull names each with the repeatable's `jobId`
 * (`opts.repeat.jobId`), for plain repeatables too. An occurrence is of one of
 * Switchyard's series when its options name the caller's id or that id is a generated
 * one, or (series an earlier version wrote) when the index holds the series. An
 * occurrence of a plain repeatable is a plain job like any other: listed and run,
 * never taken for a cancelled series of Switchyard's and completed unrun.
 */
import type Bull from 'bull';
import { mayBeGeneratedJobId } from '@switchyard/core/provider-kit';
import { CALLER_ID_OPTION } from './bull-job-id.js';

const ENCODED_MARK = '~';

/** The id Switchyard knows a plain job of `name` by. */
export function plainJobId(name: string, bullJobId: string): string {
  return `${name}:${bullJobId}`;
}

/** The queue and Bull id an id of the `<queue>:<bull id>` form names, if it has that form. */
export function parsePlainJobId(id: string): { name: string; bullJobId: string } | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1) return undefined;
  const bullJobId = id.slice(colon + 1);
  return mayBePlainBullJobId(bullJobId) ? { name: id.slice(0, colon), bullJobId } : undefined;
}

/** False for the Bull ids only Switchyard writes (generated and encoded ones). */
export function mayBePlainBullJobId(bullJobId: string): boolean {
  return !bullJobId.startsWith(ENCODED_MARK) && !mayBeGeneratedJobId(bullJobId);
}

/** True when the job itself shows Switchyard wrote it; otherwise the job index decides (see above). */
export function isSwitchyardJobByItself(job: { id: unknown; opts: object }): boolean {
  return (
    typeof (job.opts as Record<string, unknown>)[CALLER_ID_OPTION] === 'string' || !mayBePlainBullJobId(String(job.id))
  );
}

/** The id of a Bull job of `name`, given whether the job index claims its Bull id there. */
export function idOfBullJob(job: Pick<Bull.Job, 'id' | 'opts'>, name: string, claimedHere: boolean): string {
  const callerId = (job.opts as Record<string, unknown>)[CALLER_ID_OPTION];
  if (typeof callerId === 'string') return callerId;
  const bullJobId = String(job.id);
  return claimedHere || !mayBePlainBullJobId(bullJobId) ? bullJobId : plainJobId(name, bullJobId);
}

/** True when a repeat occurrence shows it belongs to a series of Switchyard's (see above). */
export function isSwitchyardOccurrenceByItself(job: { opts: object }): boolean {
  const opts = job.opts as Record<string, unknown> & { repeat?: { jobId?: unknown } };
  const seriesBullId = opts.repeat?.jobId;
  if (typeof seriesBullId !== 'string') return false;
  return typeof opts[CALLER_ID_OPTION] === 'string' || !mayBePlainBullJobId(seriesBullId);
}
