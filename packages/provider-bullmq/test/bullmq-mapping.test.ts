/** The provider's pure mappings: ids, states, options, repeats and failure texts, without a server. */
import { expect } from 'chai';
import { SNAPSHOT_SCHEMA_VERSION, type JobSnapshot } from '@switchyard/core';
import { BULL_KEY_NAME_IDS, KEY_SHAPED_IDS } from '@switchyard/core/testing';
import { fromBullMQJobId, toBullMQJobId } from '../src/bullmq-job-id.js';
import { iterationJobId, toSchedulerRepeat } from '../src/bullmq-repeat.js';
import { describeFailure } from '../src/connection-failure.js';
import { toJobState } from '../src/job-info-from-bullmq.js';
import { metaOf, snapshotToBullMQJobOptions, toBullMQBackoff } from '../src/to-bullmq-job-options.js';

const HOUR_MS = 3_600_000;

function snapshot(overrides: Partial<JobSnapshot>): JobSnapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id: 'snap-1',
    name: 'mapping',
    data: { n: 1 },
    state: 'scheduled',
    runAt: null,
    priority: 3,
    attempts: 2,
    attemptsMade: 0,
    backoff: null,
    timeoutMs: null,
    repeat: null,
    createdAt: new Date(0).toISOString(),
    ...overrides,
  };
}

describe('BullMQ provider mappings', () => {
  describe('job ids', () => {
    it('keeps ordinary ids as they are', () => {
      for (const id of ['invoice-42', 'welcome ada', 'ümlaut', '12a']) expect(toBullMQJobId(id)).to.equal(id);
    });

    it("encodes every id BullMQ refuses (integers, 'NaN', ':') or that names one of its queue's keys", () => {
      const refused = [
        'wait',
        'meta',
        'marker',
        'de',
        'pc',
        'prioritized',
        'waiting-children',
        'events',
        'id',
        '42',
        '-7',
        // BullMQ's integer test is `${parseInt(id, 10)}` === id.
        'NaN',
      ];
      for (const id of [...refused, '~x', 'a:b:c', 'x:lock']) {
        expect(toBullMQJobId(id), id).to.match(/^~/).and.not.include(':');
      }
    });

    it('maps every id one to one, and back', () => {
      const ids = [...BULL_KEY_NAME_IDS, ...KEY_SHAPED_IDS, '42', 'NaN', '~x', '~~', '%3A', '%253A', 'a:b', 'plain'];
      const encoded = ids.map(toBullMQJobId);
      for (const [index, id] of ids.entries()) expect(fromBullMQJobId(encoded[index]!), id).to.equal(id);
      expect(new Set(encoded).size).to.equal(new Set(ids).size);
    });
  });

  describe('states', () => {
    const now = 1_000_000;
    it('maps each BullMQ state onto the contract', () => {
      expect(toJobState('delayed', now + 1, now)).to.equal('scheduled');
      expect(toJobState('delayed', null, now)).to.equal('scheduled');
      // Due, but not yet promoted (no worker looked, or the queue is paused).
      expect(toJobState('delayed', now, now)).to.equal('waiting');
      for (const state of ['waiting', 'prioritized', 'waiting-children'] as const) {
        expect(toJobState(state, null, now)).to.equal('waiting');
      }
      for (const state of ['active', 'completed', 'failed'] as const)
        expect(toJobState(state, null, now)).to.equal(state);
      expect(toJobState('unknown', null, now)).to.equal(null);
    });
  });

  describe('options', () => {
    it("uses BullMQ's own backoff where it computes core's delays, the custom strategy for caps and jitter", () => {
      expect(toBullMQBackoff({ type: 'fixed', delayMs: 100 })).to.deep.equal({ type: 'fixed', delay: 100 });
      expect(toBullMQBackoff({ type: 'exponential', delayMs: 50, jitter: 0 })).to.deep.equal({
        type: 'exponential',
        delay: 50,
      });
      expect(toBullMQBackoff({ type: 'exponential', delayMs: 50, maxDelayMs: 60 }).type).to.equal('switchyard');
      expect(toBullMQBackoff({ type: 'fixed', delayMs: 50, jitter: 0.5 }).type).to.equal('switchyard');
    });

    it('adds a snapshot due later with its delay counted from createdAt, and keeps everything else', () => {
      const now = Date.now();
      const runAt = now + HOUR_MS;
      const backoff = { type: 'exponential', delayMs: 10, jitter: 0.5 } as const;
      const opts = snapshotToBullMQJobOptions(
        snapshot({
          id: 'a:b',
          runAt: new Date(runAt).toISOString(),
          createdAt: new Date(now - 1000).toISOString(),
          backoff,
          timeoutMs: 500,
          removeOnComplete: true,
          data: null,
        }),
        now,
      );
      expect(opts).to.deep.include({
        jobId: '~a%3Ab',
        timestamp: now - 1000,
        delay: runAt - (now - 1000),
        priority: 3,
        attempts: 2,
        removeOnComplete: true,
      });
      // Keeping failed jobs is BullMQ's default: nothing said.
      expect(opts).not.to.have.property('removeOnFail');
      expect(metaOf(opts)).to.deep.equal({ id: 'a:b', backoff, timeoutMs: 500, dataIsNull: true });
    });

    it('adds a snapshot already due with no delay, noting when it fell due', () => {
      const now = Date.now();
      const dueAt = now - 5000;
      const opts = snapshotToBullMQJobOptions(
        snapshot({ state: 'waiting', runAt: new Date(dueAt).toISOString() }),
        now,
      );
      expect(opts.delay).to.equal(0);
      expect(metaOf(opts)).to.deep.equal({ dueAt });
      expect(snapshotToBullMQJobOptions(snapshot({ state: 'waiting' }), now).delay).to.equal(0);
    });

    it('reads no Switchyard options from a job another producer wrote', () => {
      expect(metaOf(undefined)).to.deep.equal({});
      expect(metaOf({ attempts: 3 })).to.deep.equal({});
    });
  });

  describe('repeats', () => {
    it('schedules cron in its time zone, and every from the next multiple of everyMs (not at once, as BullMQ would)', () => {
      expect(toSchedulerRepeat({ cron: '0 9 * * 1' }, 0)).to.deep.equal({ pattern: '0 9 * * 1' });
      expect(toSchedulerRepeat({ cron: '0 9 * * 1', tz: 'Asia/Tokyo' }, 0)).to.deep.equal({
        pattern: '0 9 * * 1',
        tz: 'Asia/Tokyo',
      });
      expect(toSchedulerRepeat({ everyMs: 1000 }, 12_345)).to.deep.equal({ every: 1000, startDate: 13_000 });
      expect(toSchedulerRepeat({ everyMs: 1000 }, 12_345, 99_000)).to.deep.equal({ every: 1000, startDate: 99_000 });
      expect(iterationJobId('daily', 13_000)).to.equal('repeat:daily:13000');
    });
  });

  describe('failure texts', () => {
    it("puts a driver's error code in front of its message, once", () => {
      const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
      expect(describeFailure(refused)).to.equal('ECONNREFUSED: connect failed');
      const named = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      expect(describeFailure(named)).to.equal('connect ECONNREFUSED 127.0.0.1:1');
      expect(describeFailure('plain text')).to.equal('plain text');
    });
  });
});
