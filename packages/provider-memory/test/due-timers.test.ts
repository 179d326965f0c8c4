import { expect } from 'chai';
import sinon from 'sinon';
import { DueTimers } from '../src/due-timers.js';

describe('DueTimers (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let timers: DueTimers;
  let fired: string[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    timers = new DueTimers();
    fired = [];
  });

  afterEach(() => clock.restore());

  it('fires each callback at its instant, earliest first, and those due together in the order armed', () => {
    timers.at(300, () => fired.push(`c@${Date.now()}`));
    timers.at(100, () => fired.push(`a@${Date.now()}`));
    timers.at(300, () => fired.push(`d@${Date.now()}`));
    timers.at(200, () => fired.push(`b@${Date.now()}`));
    clock.tick(299);
    expect(fired).to.deep.equal(['a@100', 'b@200']);
    clock.tick(1);
    expect(fired).to.deep.equal(['a@100', 'b@200', 'c@300', 'd@300']);
  });

  it('keeps one Node timer however many callbacks wait', () => {
    for (let index = 0; index < 1000; index += 1) timers.at(1000 + index, () => {});
    expect(clock.countTimers()).to.equal(1);
  });

  it('never fires a cleared callback, and stops its timer when none is left', () => {
    const first = timers.at(100, () => fired.push('first'));
    timers.at(200, () => fired.push('second')).clear();
    first.clear();
    expect(clock.countTimers()).to.equal(0);
    clock.tick(1000);
    expect(fired).to.deep.equal([]);
  });

  it('fires the survivors in order after many cancellations were swept out', () => {
    const entries = Array.from({ length: 5000 }, (_, index) => timers.at(10 + index, () => fired.push(String(index))));
    entries.forEach((entry, index) => {
      if (index % 1000 !== 0) entry.clear();
    });
    clock.tick(10_000);
    expect(fired).to.deep.equal(['0', '1000', '2000', '3000', '4000']);
  });

  it('lets a callback arm another that is already due', () => {
    timers.at(100, () => {
      fired.push('outer');
      timers.at(Date.now(), () => fired.push('inner'));
    });
    clock.tick(100);
    expect(fired).to.deep.equal(['outer']);
    // Like any setTimeout armed from a timer callback: at the next millisecond.
    clock.tick(1);
    expect(fired).to.deep.equal(['outer', 'inner']);
  });
});
