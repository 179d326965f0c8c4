import { expect } from 'chai';
import { ValidationError, validateSchedule, DEFAULT_MAX_PAYLOAD_BYTES } from '@switchyard/core';

const now = new Date('2026-06-01T12:00:00.000Z');

function fieldOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('validateSchedule', () => {
  it('applies the defaults: due now, priority 5, 3 attempts, kept on completion', () => {
    const schedule = validateSchedule('email', { to: 'a' }, undefined, {}, now);
    expect(schedule).to.deep.equal({
      name: 'email',
      data: { to: 'a' },
      runAt: now,
      delayed: false,
      priority: 5,
      attempts: 3,
      removeOnComplete: { ageMs: null, count: null },
      removeOnFail: { ageMs: null, count: null },
    });
  });

  it('resolves each retention form, and takes the defaults from the limits', () => {
    const retentionOf = (options: object, limits = {}) => {
      const { removeOnComplete, removeOnFail } = validateSchedule('n', null, options, limits, now);
      return { removeOnComplete, removeOnFail };
    };
    expect(retentionOf({ removeOnComplete: true, removeOnFail: 0 })).to.deep.equal({
      removeOnComplete: { ageMs: null, count: 0 },
      removeOnFail: { ageMs: null, count: 0 },
    });
    expect(retentionOf({ removeOnComplete: 100, removeOnFail: { ageMs: 1000 } })).to.deep.equal({
      removeOnComplete: { ageMs: null, count: 100 },
      removeOnFail: { ageMs: 1000, count: null },
    });
    expect(
      retentionOf({ removeOnFail: false }, { defaultRemoveOnComplete: { count: 5 }, defaultRemoveOnFail: true }),
    ).to.deep.equal({ removeOnComplete: { ageMs: null, count: 5 }, removeOnFail: { ageMs: null, count: null } });
  });

  it('takes default attempts and backoff from the limits', () => {
    const backoff = { type: 'fixed', delayMs: 10 } as const;
    const schedule = validateSchedule('n', null, {}, { defaultAttempts: 7, defaultBackoff: backoff }, now);
    expect(schedule.attempts).to.equal(7);
    expect(schedule.backoff).to.deep.equal(backoff);
  });

  it('resolves delayMs against now', () => {
    const schedule = validateSchedule('n', null, { delayMs: 1500 }, {}, now);
    expect(schedule.runAt.toISOString()).to.equal('2026-06-01T12:00:01.500Z');
    expect(schedule.delayed).to.equal(true);
  });

  it('treats a past runAt as now', () => {
    const schedule = validateSchedule('n', null, { runAt: new Date('2020-01-01') }, {}, now);
    expect(schedule.runAt).to.deep.equal(now);
    expect(schedule.delayed).to.equal(false);
  });

  it("copies runAt so later mutation of the caller's Date changes nothing", () => {
    const runAt = new Date('2027-01-01T00:00:00Z');
    const schedule = validateSchedule('n', null, { runAt }, {}, now);
    runAt.setFullYear(2030);
    expect(schedule.runAt.toISOString()).to.equal('2027-01-01T00:00:00.000Z');
  });

  it('accepts a cron repeat with a time zone and an interval repeat', () => {
    expect(
      validateSchedule('n', null, { repeat: { cron: '0 9 * * 1-5', tz: 'Europe/Paris' } }, {}, now).repeat,
    ).to.deep.equal({
      cron: '0 9 * * 1-5',
      tz: 'Europe/Paris',
    });
    expect(validateSchedule('n', null, { repeat: { everyMs: 60_000 } }, {}, now).repeat).to.deep.equal({
      everyMs: 60_000,
    });
  });

  it('names nested fields in backoff and repeat', () => {
    expect(fieldOf(() => validateSchedule('n', null, { backoff: { type: 'fixed', delayMs: -1 } }))).to.equal(
      'backoff.delayMs',
    );
    expect(
      fieldOf(() => validateSchedule('n', null, { backoff: { type: 'fixed', delayMs: 100, maxDelayMs: 50 } })),
    ).to.equal('backoff.maxDelayMs');
    expect(fieldOf(() => validateSchedule('n', null, { repeat: { cron: '* * * * *', tz: 'Nowhere/Town' } }))).to.equal(
      'repeat.tz',
    );
    expect(
      fieldOf(() => validateSchedule('n', null, { repeat: { everyMs: 10, cron: '* * * * *' } as never })),
    ).to.equal('repeat');
  });

  it('refuses repeat together with a delay', () => {
    expect(fieldOf(() => validateSchedule('n', null, { repeat: { everyMs: 10 }, delayMs: 5 }))).to.equal('repeat');
  });

  it('names the path of bad data deep inside arrays and objects', () => {
    expect(fieldOf(() => validateSchedule('n', { items: [1, { at: new Date() }] }, {}))).to.equal('data.items[1].at');
    expect(fieldOf(() => validateSchedule('n', { items: [1, undefined] }, {}))).to.equal('data.items[1]');
  });

  it('accepts undefined properties, which JSON leaves out', () => {
    expect(validateSchedule('n', { phone: undefined, email: 'a@b.c' }, {}).data).to.deep.equal({
      phone: undefined,
      email: 'a@b.c',
    });
  });

  it('counts the payload size in UTF-8 bytes', () => {
    const limit = 100;
    const ascii = 'a'.repeat(limit - 2); // plus the two quotes
    expect(() => validateSchedule('n', ascii, {}, { maxPayloadBytes: limit })).not.to.throw();
    expect(fieldOf(() => validateSchedule('n', 'é'.repeat(60), {}, { maxPayloadBytes: limit }))).to.equal('data');
    expect(DEFAULT_MAX_PAYLOAD_BYTES).to.equal(512 * 1024);
  });

  it('rejects control characters in names and ids', () => {
    expect(fieldOf(() => validateSchedule('bad\nname', null))).to.equal('name');
    expect(fieldOf(() => validateSchedule('n', null, { jobId: 'a\u0000b' }))).to.equal('jobId');
  });

  it('says what is wrong in the message', () => {
    try {
      validateSchedule('n', null, { priority: 11 });
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.equal('Invalid priority: must be at most 10');
      expect((error as ValidationError).code).to.equal('VALIDATION_ERROR');
    }
  });
});
