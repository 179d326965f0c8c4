import { expect } from 'chai';
import sinon from 'sinon';
import type { RetentionPolicy } from '@switchyard/core';
import { IDLE_RETENTION_TRIM_DELAY_MS, RETENTION_TRIM_DELAY_MS, RetentionTrims } from '@switchyard/core/provider-kit';

const KEEP_TWO: RetentionPolicy = { ageMs: null, count: 2 };

/** A trim that records its calls and removes what `removing` says, per call. */
function recordingTrims(removing: () => number) {
  const calls: { name: string; state: string; at: number }[] = [];
  const errors: unknown[] = [];
  const trims = new RetentionTrims(
    async (name, state) => {
      calls.push({ name, state, at: Date.now() });
      return removing();
    },
    (error) => errors.push(error),
  );
  return { trims, calls, errors };
}

describe('RetentionTrims', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('runs the trims asked for within the trim delay once, after it', async () => {
    const { trims, calls } = recordingTrims(() => 1);
    trims.request('email', 'completed', KEEP_TWO);
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS - 1);
    expect(calls).to.have.length(0);
    await clock.tickAsync(1);
    expect(calls).to.deep.equal([{ name: 'email', state: 'completed', at: RETENTION_TRIM_DELAY_MS }]);
  });

  it('after a trim that removed nothing, waits the idle delay before trimming that name again', async () => {
    const { trims, calls } = recordingTrims(() => 0);
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    expect(calls).to.have.length(1);

    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(IDLE_RETENTION_TRIM_DELAY_MS - 1);
    expect(calls).to.have.length(1);
    await clock.tickAsync(1);
    expect(calls.map(({ at }) => at)).to.deep.equal([
      RETENTION_TRIM_DELAY_MS,
      RETENTION_TRIM_DELAY_MS + IDLE_RETENTION_TRIM_DELAY_MS,
    ]);
  });

  it('trims at the trim delay again once a trim removed something', async () => {
    const removed = [0, 3, 1];
    const { trims, calls } = recordingTrims(() => removed.shift() ?? 0);
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS); // removes nothing: idle
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(IDLE_RETENTION_TRIM_DELAY_MS); // removes 3
    const afterIdle = Date.now();
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    expect(calls.map(({ at }) => at)).to.deep.equal([
      RETENTION_TRIM_DELAY_MS,
      RETENTION_TRIM_DELAY_MS + IDLE_RETENTION_TRIM_DELAY_MS,
      afterIdle + RETENTION_TRIM_DELAY_MS,
    ]);
  });

  it('an idle name does not hold back the trims of another', async () => {
    const { trims, calls } = recordingTrims(() => 0);
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    trims.request('email', 'completed', KEEP_TWO); // idle: waits
    trims.request('sms', 'failed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    expect(calls.map(({ name, state }) => `${state}:${name}`)).to.deep.equal(['completed:email', 'failed:sms']);
  });

  it('flush() runs every pending trim at once, idle or not', async () => {
    const { trims, calls } = recordingTrims(() => 0);
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    trims.request('email', 'completed', KEEP_TWO);
    trims.request('sms', 'completed', KEEP_TWO);
    await trims.flush();
    expect(calls.map(({ name }) => name)).to.deep.equal(['email', 'email', 'sms']);
  });

  it('reports a trim that fails, and trims again at the next request', async () => {
    let fail = true;
    const { trims, calls, errors } = recordingTrims(() => {
      if (fail) throw new Error('backend down');
      return 1;
    });
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['backend down']);
    fail = false;
    trims.request('email', 'completed', KEEP_TWO);
    await clock.tickAsync(RETENTION_TRIM_DELAY_MS);
    expect(calls).to.have.length(2);
  });
});
