import { expect } from 'chai';
import { MAX_BACKOFF_DELAY_MS, computeBackoffDelay, validateSchedule } from '@switchyard/core';

describe('computeBackoffDelay', () => {
  it('retries at once without backoff', () => {
    expect(computeBackoffDelay(undefined, 1)).to.equal(0);
  });
  it('keeps a fixed delay', () => {
    expect([1, 2, 5].map((n) => computeBackoffDelay({ type: 'fixed', delayMs: 250 }, n))).to.deep.equal([
      250, 250, 250,
    ]);
  });
  it('doubles an exponential delay after each failure', () => {
    const backoff = { type: 'exponential', delayMs: 100 } as const;
    expect([1, 2, 3, 4].map((n) => computeBackoffDelay(backoff, n))).to.deep.equal([100, 200, 400, 800]);
  });
  it('caps the delay at maxDelayMs', () => {
    const backoff = { type: 'exponential', delayMs: 100, maxDelayMs: 300 } as const;
    expect([1, 2, 3, 10, 2000].map((n) => computeBackoffDelay(backoff, n))).to.deep.equal([100, 200, 300, 300, 300]);
  });
  it('never waits longer than MAX_BACKOFF_DELAY_MS, however many failures', () => {
    const backoff = { type: 'exponential', delayMs: 60_000 } as const;
    expect(computeBackoffDelay(backoff, 2000)).to.equal(MAX_BACKOFF_DELAY_MS);
    expect(Number.isNaN(new Date(Date.now() + computeBackoffDelay(backoff, 2000)).getTime())).to.equal(false);
  });
  it('refuses a backoff longer than MAX_BACKOFF_DELAY_MS, naming the field', () => {
    for (const [backoff, field] of [
      [{ type: 'fixed', delayMs: MAX_BACKOFF_DELAY_MS + 1 }, 'backoff.delayMs'],
      [{ type: 'fixed', delayMs: 1, maxDelayMs: 1e300 }, 'backoff.maxDelayMs'],
    ] as const) {
      expect(() => validateSchedule('n', null, { backoff }))
        .to.throw()
        .with.property('field', field);
    }
  });
  it('spreads jitter below the delay, never above the cap', () => {
    const backoff = { type: 'fixed', delayMs: 1000, jitter: 0.5 } as const;
    expect(computeBackoffDelay(backoff, 1, () => 0)).to.equal(1000);
    expect(computeBackoffDelay(backoff, 1, () => 0.5)).to.equal(750);
    expect(computeBackoffDelay(backoff, 1, () => 0.999999)).to.equal(500);
  });
});
