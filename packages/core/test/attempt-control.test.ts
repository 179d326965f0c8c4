import { expect } from 'chai';
import sinon from 'sinon';
import { AttemptControl, JobTimeoutError, ProviderClosedError } from '@switchyard/core';

/** A promise that never settles: a processor that ignores its signal. */
const forever = () => new Promise<never>(() => {});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('should have rejected'),
    (error: unknown) => error,
  );
}

describe('AttemptControl', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('settles with the work when nothing aborts it', async () => {
    const control = new AttemptControl('j', 1000);
    expect(await control.run(async () => 'done')).to.equal('done');
    expect(control.aborted).to.equal(false);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const control = new AttemptControl('j', undefined);
    const error = await rejectionOf(
      control.run(() => {
        throw new Error('sync');
      }),
    );
    expect((error as Error).message).to.equal('sync');
  });

  it('rejects with a JobTimeoutError at timeoutMs, even when the work ignores the signal, and aborts a signal read before', async () => {
    const control = new AttemptControl('j-1', 100);
    const signal = control.signal;
    const running = control.run(forever);
    await clock.tickAsync(99);
    expect(signal.aborted).to.equal(false);
    await clock.tickAsync(1);
    const error = await rejectionOf(running);
    expect(error).to.be.instanceOf(JobTimeoutError);
    expect(signal.aborted).to.equal(true);
    expect(signal.reason).to.equal(error);
  });

  it('gives a signal first read after the abort already aborted, with the reason', () => {
    const control = new AttemptControl('j', undefined);
    const reason = new ProviderClosedError('memory');
    control.abort(reason);
    expect(control.signal.aborted).to.equal(true);
    expect(control.signal.reason).to.equal(reason);
    expect(control.reason).to.equal(reason);
  });

  it('rejects a run started after the abort without calling the work', async () => {
    const control = new AttemptControl('j', undefined);
    control.abort(new ProviderClosedError('bull'));
    const work = sinon.spy(async () => 'ran');
    expect(await rejectionOf(control.run(work))).to.be.instanceOf(ProviderClosedError);
    expect(work.called).to.equal(false);
  });

  it('keeps the first reason when aborted twice', async () => {
    const control = new AttemptControl('j', 50);
    const running = control.run(forever);
    control.abort(new ProviderClosedError('bull'));
    await clock.tickAsync(100);
    expect(await rejectionOf(running)).to.be.instanceOf(ProviderClosedError);
  });

  it('leaves no timer behind once the work has settled', async () => {
    const control = new AttemptControl('j', 100);
    await control.run(async () => 'quick');
    expect(clock.countTimers()).to.equal(0);
    expect(control.aborted).to.equal(false);
  });
});
