import { expect } from 'chai';
import {
  SNAPSHOT_SCHEMA_VERSION,
  ValidationError,
  toJobSnapshot,
  validateSnapshot,
  type JobInfo,
} from '@switchyard/core';

const job: JobInfo = {
  id: 'booking:1:24h',
  name: 'booking-reminder',
  data: { bookingId: '1' },
  state: 'scheduled',
  runAt: new Date('2027-03-01T09:00:00Z'),
  createdAt: new Date('2026-11-01T10:00:00Z'),
  finishedAt: null,
  priority: 2,
  attemptsMade: 1,
  maxAttempts: 4,
  progress: 0,
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 },
  timeoutMs: 5000,
};

describe('job snapshots', () => {
  it('turns a job into plain JSON with ISO dates', () => {
    const snapshot = toJobSnapshot(job);
    expect(JSON.parse(JSON.stringify(snapshot))).to.deep.equal({
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      id: 'booking:1:24h',
      name: 'booking-reminder',
      data: { bookingId: '1' },
      state: 'scheduled',
      runAt: '2027-03-01T09:00:00.000Z',
      priority: 2,
      attempts: 4,
      attemptsMade: 1,
      backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 },
      timeoutMs: 5000,
      repeat: null,
      createdAt: '2026-11-01T10:00:00.000Z',
    });
  });

  it('accepts its own output', () => {
    const snapshot = toJobSnapshot(job);
    expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot)))).to.deep.equal(snapshot);
  });

  it('writes retention in the form a caller gives it, and leaves keep-all out', () => {
    const retained = toJobSnapshot(job, {
      removeOnComplete: { ageMs: 86_400_000, count: 1000 },
      removeOnFail: { ageMs: null, count: 50 },
    });
    expect(retained).to.deep.include({ removeOnComplete: { ageMs: 86_400_000, count: 1000 }, removeOnFail: 50 });
    expect(toJobSnapshot(job, { removeOnComplete: { ageMs: null, count: 0 } }).removeOnComplete).to.equal(true);
    expect(toJobSnapshot(job, { removeOnComplete: { ageMs: 60_000, count: null } }).removeOnComplete).to.deep.equal({
      ageMs: 60_000,
    });
    expect(toJobSnapshot(job, { removeOnFail: { ageMs: null, count: null } })).not.to.have.property('removeOnFail');
  });

  it('reads a version 1 snapshot as the current version, removeOnComplete true kept', () => {
    const current = toJobSnapshot(job, { removeOnComplete: { ageMs: null, count: 0 } });
    expect(validateSnapshot({ ...current, schemaVersion: 1 })).to.deep.equal(current);
    const { removeOnComplete: _, ...keepAll } = current;
    expect(validateSnapshot({ ...keepAll, schemaVersion: 1, removeOnComplete: false })).to.deep.equal(keepAll);
  });

  const broken: [string, Record<string, unknown>][] = [
    ['snapshot.schemaVersion', { schemaVersion: 3 }],
    ['snapshot.schemaVersion', { schemaVersion: '2' }],
    ['snapshot.removeOnComplete', { removeOnComplete: false }],
    ['snapshot.removeOnComplete', { removeOnComplete: -1 }],
    ['snapshot.removeOnFail.ageMs', { removeOnFail: { ageMs: 0 } }],
    ['snapshot.removeOnComplete', { schemaVersion: 1, removeOnComplete: 5 }],
    ['snapshot.removeOnFail', { schemaVersion: 1, removeOnFail: true }],
    ['snapshot.id', { id: '' }],
    ['snapshot.state', { state: 'running' }],
    ['snapshot.runAt', { runAt: 'tomorrow-ish' }],
    ['snapshot.priority', { priority: 0 }],
    ['snapshot.attempts', { attempts: 0 }],
    ['snapshot.attempts', { attempts: 1e308 }],
    ['snapshot.name', { name: 'x:y' }],
    ['snapshot.id', { id: 'a\u202eb' }],
    ['snapshot.repeat.everyMs', { repeat: { everyMs: 1 } }],
    ['snapshot.repeat.cron', { repeat: { cron: 'every day' } }],
  ];
  for (const [field, change] of broken) {
    it(`names ${field} when it is wrong`, () => {
      const snapshot = { ...toJobSnapshot(job), ...change };
      expect(() => validateSnapshot(snapshot))
        .to.throw(ValidationError)
        .with.property('field', field);
    });
  }
});
