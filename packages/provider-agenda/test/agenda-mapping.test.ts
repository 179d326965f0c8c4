import { ObjectId } from 'mongodb';
import { expect } from 'chai';
import { Query } from 'mingo';
import {
  JOB_STATES,
  KEEP_ALL,
  KEEP_NONE,
  nextCronOccurrence,
  validateSchedule,
  type JobSnapshot,
} from '@switchyard/core';
import type { AgendaJobDocument } from '../src/agenda-job-document.js';
import { fromAgendaPriority, toAgendaPriority } from '../src/agenda-priority.js';
import { retentionOfDocument } from '../src/document-retention.js';
import { jobStateOf, stateFilter, toJobInfo } from '../src/job-state-mapping.js';
import { mongoEndpointOf } from '../src/mongo-endpoint.js';
import { plainJobInfo, plainJobObjectId, plainRepeat } from '../src/plain-agenda-job.js';
import { documentFromSnapshot, newJobDocument } from '../src/new-job-document.js';
import { firstRepeatRun, toAgendaRepeat } from '../src/repeat-schedule.js';
import { fromResultJson, toResultJson } from '../src/stored-result.js';

const NOW = new Date('2030-01-07T12:00:00.000Z');

/** A job that failed for good, as another provider exported it. */
const FAILED_SNAPSHOT: JobSnapshot = {
  schemaVersion: 2,
  id: 's-1',
  name: 'mail',
  data: null,
  state: 'failed',
  runAt: null,
  priority: 10,
  attempts: 2,
  attemptsMade: 2,
  backoff: null,
  timeoutMs: null,
  repeat: null,
  createdAt: '2029-12-31T00:00:00.000Z',
  failedReason: 'boom',
};

function stored(fields: Partial<AgendaJobDocument>): AgendaJobDocument {
  const schedule = validateSchedule('report', { n: 1 }, {}, {}, NOW);
  return { _id: new ObjectId(), ...newJobDocument(schedule, 'job-1', NOW, false), ...fields };
}

describe('AgendaQueueProvider mapping', () => {
  describe('priority', () => {
    it('maps 1 (highest) .. 10 (lowest) onto Agenda, where a higher number runs first, 5 on its normal 0', () => {
      const mapped = Array.from({ length: 10 }, (_, index) => toAgendaPriority(index + 1));
      expect(mapped).to.deep.equal([4, 3, 2, 1, 0, -1, -2, -3, -4, -5]);
      for (let priority = 1; priority <= 10; priority += 1)
        expect(fromAgendaPriority(toAgendaPriority(priority))).to.equal(priority);
    });

    it("clamps Agenda's own named priorities (highest 20, lowest -20) and junk into 1..10", () => {
      expect([20, 10, 0, -10, -20].map(fromAgendaPriority)).to.deep.equal([1, 1, 5, 10, 10]);
      expect([undefined, Number.NaN, 'high'].map(fromAgendaPriority)).to.deep.equal([5, 5, 5]);
    });
  });

  describe('job state', () => {
    it('is the phase, and for pending jobs nextRunAt against the clock', () => {
      const later = new Date(NOW.getTime() + 1);
      expect(jobStateOf({ phase: 'pending', nextRunAt: later }, NOW)).to.equal('scheduled');
      expect(jobStateOf({ phase: 'pending', nextRunAt: NOW }, NOW)).to.equal('waiting');
      // Pending without nextRunAt: a plain Agenda worker started it; Agenda's fields tell the rest.
      expect(jobStateOf({ phase: 'pending', nextRunAt: null, lockedAt: NOW }, NOW)).to.equal('active');
      expect(jobStateOf({ phase: 'pending', nextRunAt: null }, NOW)).to.equal('completed');
      expect(jobStateOf({ phase: 'pending', nextRunAt: null, failCount: 1 }, NOW)).to.equal('failed');
      expect(jobStateOf({ phase: 'active', nextRunAt: later }, NOW)).to.equal('active');
      expect(jobStateOf({ phase: 'completed', nextRunAt: null }, NOW)).to.equal('completed');
      expect(jobStateOf({ phase: 'failed', nextRunAt: null }, NOW)).to.equal('failed');
    });

    it('has a MongoDB filter per state that says the same as jobStateOf', () => {
      const later = new Date(NOW.getTime() + 5);
      const earlier = new Date(NOW.getTime() - 5);
      const cases: Pick<AgendaJobDocument, 'phase' | 'nextRunAt' | 'lockedAt' | 'failCount'>[] = [
        { phase: 'pending', nextRunAt: later },
        { phase: 'pending', nextRunAt: earlier },
        { phase: 'pending', nextRunAt: NOW, lockedAt: NOW },
        { phase: 'pending', nextRunAt: null },
        { phase: 'pending', nextRunAt: null, lockedAt: NOW },
        { phase: 'pending', nextRunAt: null, failCount: 2 },
        { phase: 'active', nextRunAt: null },
        { phase: 'active', nextRunAt: later, lockedAt: NOW },
        { phase: 'completed', nextRunAt: null },
        { phase: 'failed', nextRunAt: null, failCount: 1 },
        // Plain Agenda documents: no phase at all.
        { nextRunAt: later },
        { nextRunAt: earlier, lockedAt: NOW },
        { nextRunAt: later, lockedAt: NOW, failCount: 1 },
        { nextRunAt: null, lockedAt: NOW },
        { nextRunAt: null, lockedAt: null, failCount: 3 },
        { nextRunAt: null, lockedAt: null, failCount: 0 },
        { nextRunAt: null },
      ];
      for (const doc of cases) {
        const matching = JOB_STATES.filter((state) => new Query(stateFilter(state, NOW)).test(doc));
        expect(matching).to.deep.equal([jobStateOf(doc, NOW)], JSON.stringify(doc));
      }
    });
  });

  describe('plain Agenda documents', () => {
    it('reads a repeatInterval as Agenda does: milliseconds, then cron, then a human interval; junk is no repeat', () => {
      expect(plainRepeat({ repeatInterval: 60_000 })).to.deep.equal({ everyMs: 60_000 });
      expect(plainRepeat({ repeatInterval: '5000' })).to.deep.equal({ everyMs: 5000 });
      expect(plainRepeat({ repeatInterval: '0 8 * * 1', repeatTimezone: 'Asia/Tokyo' })).to.deep.equal({
        cron: '0 8 * * 1',
        tz: 'Asia/Tokyo',
      });
      // Agenda reads a cron without a zone in its process's zone: spelled out, since Switchyard would read UTC.
      const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
      expect(plainRepeat({ repeatInterval: '*/5 * * * *', repeatTimezone: null })).to.deep.equal({
        cron: '*/5 * * * *',
        tz: local,
      });
      expect(plainRepeat({ repeatInterval: '2 hours' })).to.deep.equal({ everyMs: 7_200_000 });
      expect(plainRepeat({ repeatInterval: 'whenever you like' })).to.equal(undefined);
      expect(plainRepeat({ repeatInterval: '' })).to.equal(undefined);
      expect(plainRepeat({ repeatInterval: null })).to.equal(undefined);
    });

    it('shows a plain document by its ObjectId, with attempts counted from its failures', () => {
      const _id = new ObjectId();
      const plain = {
        _id,
        name: 'legacy',
        priority: 20,
        nextRunAt: null,
        type: 'normal',
        data: undefined,
        lockedAt: null,
        failCount: 2,
        failReason: 'boom',
        lastFinishedAt: NOW,
      } as unknown as AgendaJobDocument;
      expect(plainJobInfo(plain, NOW)).to.deep.equal({
        id: _id.toHexString(),
        name: 'legacy',
        data: null,
        state: 'failed',
        runAt: null,
        createdAt: _id.getTimestamp(),
        finishedAt: NOW,
        priority: 1,
        attemptsMade: 2,
        maxAttempts: 2,
        progress: 0,
        failedReason: 'boom',
      });
      const succeeded = { ...plain, failCount: 0 } as AgendaJobDocument;
      expect(plainJobInfo(succeeded, NOW)).to.deep.include({ state: 'completed', attemptsMade: 1, maxAttempts: 1 });
      expect(plainJobInfo(succeeded, NOW)).to.not.have.property('failedReason');
      expect(plainJobObjectId(_id.toHexString())?.equals(_id)).to.equal(true);
      expect(plainJobObjectId(_id.toHexString().toUpperCase())).to.equal(undefined);
      expect(plainJobObjectId('job-1')).to.equal(undefined);
    });
  });

  describe('documents', () => {
    it('stores a new job in Agenda fields (priority, nextRunAt, repeat) and ours (jobId, phase, attempts)', () => {
      const schedule = validateSchedule(
        'digest',
        { to: 'a' },
        { priority: 2, attempts: 4, repeat: { cron: '0 8 * * *' } },
        {},
        NOW,
      );
      const doc = newJobDocument(schedule, 'digest-1', NOW, true);
      expect(doc).to.deep.include({
        name: 'digest',
        priority: 3,
        type: 'normal',
        data: { to: 'a' },
        lockedAt: null,
        disabled: true,
        repeatInterval: '0 8 * * *',
        repeatTimezone: 'UTC',
        jobId: 'digest-1',
        phase: 'pending',
        attempts: 4,
        attemptsMade: 0,
      });
      expect(doc.nextRunAt?.toISOString()).to.equal(nextCronOccurrence('0 8 * * *', undefined, NOW).toISOString());
    });

    it('writes a retention policy only where it removes jobs, and reads a missing or older one as keep all', () => {
      const keepAll = newJobDocument(validateSchedule('report', {}, {}, {}, NOW), 'keep', NOW, false);
      expect(keepAll).not.to.have.any.keys('removeOnComplete', 'removeOnFail');
      const bounded = newJobDocument(
        validateSchedule('report', {}, { removeOnComplete: 100, removeOnFail: { ageMs: 60_000 } }, {}, NOW),
        'bounded',
        NOW,
        false,
      );
      expect(bounded).to.deep.include({
        removeOnComplete: { ageMs: null, count: 100 },
        removeOnFail: { ageMs: 60_000, count: null },
      });
      expect(retentionOfDocument(keepAll, 'completed')).to.deep.equal(KEEP_ALL);
      expect(retentionOfDocument(keepAll, 'failed')).to.deep.equal(KEEP_ALL);
      expect(retentionOfDocument(bounded, 'completed')).to.deep.equal({ ageMs: null, count: 100 });
      // Earlier versions: a boolean, or keep-all written out.
      expect(retentionOfDocument({ removeOnComplete: false }, 'completed')).to.deep.equal(KEEP_ALL);
      expect(retentionOfDocument({ removeOnComplete: true }, 'completed')).to.deep.equal(KEEP_NONE);
      expect(retentionOfDocument({ removeOnComplete: KEEP_ALL, removeOnFail: KEEP_ALL }, 'failed')).to.deep.equal(
        KEEP_ALL,
      );
      const imported = documentFromSnapshot({ ...FAILED_SNAPSHOT, state: 'waiting', removeOnFail: 5 }, NOW, false);
      expect(imported).not.to.have.any.keys('removeOnComplete');
      expect(imported.removeOnFail).to.deep.equal({ ageMs: null, count: 5 });
    });

    it('reads a stored job back as the JobInfo callers see', () => {
      const info = toJobInfo(stored({ progress: 40, resultJson: '{"ok":true}', failedReason: 'earlier' }), NOW);
      expect(info).to.deep.include({
        id: 'job-1',
        name: 'report',
        data: { n: 1 },
        state: 'waiting',
        priority: 5,
        progress: 40,
      });
      expect(info.result).to.deep.equal({ ok: true });
      expect(info.failedReason).to.equal('earlier');
      expect(toJobInfo(stored({ phase: 'completed', nextRunAt: new Date() }), NOW).runAt).to.equal(null);
    });

    it('turns a snapshot into a document in the matching phase, finished jobs with no nextRunAt', () => {
      expect(documentFromSnapshot(FAILED_SNAPSHOT, NOW, false)).to.deep.include({
        phase: 'failed',
        nextRunAt: null,
        finishedAt: NOW,
        priority: -5,
        failedReason: 'boom',
        attemptsMade: 2,
      });
      const waiting = documentFromSnapshot({ ...FAILED_SNAPSHOT, state: 'waiting', runAt: null }, NOW, false);
      expect(waiting).to.deep.include({ phase: 'pending', nextRunAt: NOW, finishedAt: null });
      expect(() => documentFromSnapshot({ ...FAILED_SNAPSHOT, state: 'active' }, NOW, false)).to.throw(/active/);
    });
  });

  describe('repeat', () => {
    it("writes repeats in Agenda's fields: milliseconds as a number, cron with its time zone (UTC by default)", () => {
      expect(toAgendaRepeat({ everyMs: 5000 })).to.deep.equal({ repeatInterval: 5000, repeatTimezone: 'UTC' });
      expect(toAgendaRepeat({ cron: '30 9 * * 1', tz: 'America/New_York' })).to.deep.equal({
        repeatInterval: '30 9 * * 1',
        repeatTimezone: 'America/New_York',
      });
    });

    it('first runs one interval from now, or at the next cron match in its time zone', () => {
      expect(firstRepeatRun({ everyMs: 5000 }, NOW).getTime()).to.equal(NOW.getTime() + 5000);
      expect(firstRepeatRun({ cron: '30 9 * * 1', tz: 'America/New_York' }, NOW).toISOString()).to.equal(
        '2030-01-07T14:30:00.000Z',
      );
    });
  });

  describe('connection string endpoint', () => {
    it('finds host and port of the first server and never returns credentials', () => {
      expect(mongoEndpointOf('mongodb://app:secret@db1:27018,db2:27019/app?replicaSet=rs')).to.deep.equal({
        host: 'db1',
        port: 27018,
      });
      expect(mongoEndpointOf('mongodb://localhost/app')).to.deep.equal({ host: 'localhost', port: 27017 });
      expect(mongoEndpointOf('mongodb://u:p@[::1]:27020/app')).to.deep.equal({ host: '::1', port: 27020 });
      expect(mongoEndpointOf('mongodb+srv://u:p%40ss@cluster0.example.net/app')).to.deep.equal({
        host: 'cluster0.example.net',
        port: 27017,
      });
    });
  });

  describe('stored result', () => {
    it('keeps results as JSON would, and nothing for undefined', () => {
      expect(fromResultJson(toResultJson({ a: 1, skip: undefined, when: new Date(0) }))).to.deep.equal({
        a: 1,
        when: '1970-01-01T00:00:00.000Z',
      });
      expect(toResultJson(undefined)).to.equal(undefined);
      expect(fromResultJson(toResultJson('text'))).to.equal('text');
    });
  });
});
