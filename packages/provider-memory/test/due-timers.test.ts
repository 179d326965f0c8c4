import { expect } from 'chai';
import sinon from 'sinon';
import { DueTimers, type DueItem } from '../src/due-timers.js';

/** A test item: its label is what the handler records when it falls due. */
interface Reminder extends DueItem {
  label: string;
}

function reminder(label: string): Reminder {
  return { label, dueTicket: undefined };
}

describe('DueTimers (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let timers: DueTimers<Reminder>;
  let fired: string[];
  /** The instant each item was armed for, as the handler got it. */
  let armedFor: number[];
  /** What the handler does besides recording, per label. */
  let reactions: Map<string, () => void>;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    fired = [];
    armedFor = [];
    reactions = new Map();
    timers = new DueTimers<Reminder>((item, dueAt) => {
      fired.push(`${item.label}@${Date.now()}`);
      armedFor.push(dueAt);
      reactions.get(item.label)?.();
    });
  });

  afterEach(() => clock.restore());

  it('fires each item at its instant, earliest first, and those due together in the order armed', () => {
    timers.at(reminder('c'), 300);
    timers.at(reminder('a'), 100);
    timers.at(reminder('d'), 300);
    timers.at(reminder('b'), 200);
    clock.tick(299);
    expect(fired).to.deep.equal(['a@100', 'b@200']);
    clock.tick(1);
    expect(fired).to.deep.equal(['a@100', 'b@200', 'c@300', 'd@300']);
  });

  it('keeps one Node timer however many items wait', () => {
    for (let index = 0; index < 1000; index += 1) timers.at(reminder(String(index)), 1000 + index);
    expect(clock.countTimers()).to.equal(1);
  });

  it('never fires a cleared item, and stops its timer when none is left', () => {
    const first = reminder('first');
    const second = reminder('second');
    timers.at(first, 100);
    timers.at(second, 200);
    timers.clear(second);
    timers.clear(first);
    expect(clock.countTimers()).to.equal(0);
    clock.tick(1000);
    expect(fired).to.deep.equal([]);
  });

  it('fires the survivors in order after many cancellations were swept out', () => {
    const items = Array.from({ length: 5000 }, (_, index) => reminder(String(index)));
    items.forEach((item, index) => timers.at(item, 10 + index));
    items.forEach((item, index) => {
      if (index % 1000 !== 0) timers.clear(item);
    });
    clock.tick(10_000);
    expect(fired.map((entry) => entry.split('@')[0])).to.deep.equal(['0', '1000', '2000', '3000', '4000']);
  });

  it('lets the handler arm another item that is already due', () => {
    reactions.set('outer', () => timers.at(reminder('inner'), Date.now()));
    timers.at(reminder('outer'), 100);
    clock.tick(100);
    expect(fired).to.deep.equal(['outer@100']);
    // Like any setTimeout armed from a timer callback: at the next millisecond.
    clock.tick(1);
    expect(fired).to.deep.equal(['outer@100', 'inner@101']);
    expect(armedFor).to.deep.equal([100, 100]);
  });

  it('wakes an item only at its latest instant when it is armed again', () => {
    const item = reminder('moved');
    timers.at(item, 100);
    timers.at(item, 300);
    clock.tick(1000);
    expect(fired).to.deep.equal(['moved@300']);
  });

  it('ignores clearing an item that has fired, and keeps the others armed', () => {
    const early = reminder('early');
    timers.at(early, 100);
    timers.at(reminder('late'), 200);
    clock.tick(100);
    timers.clear(early);
    timers.clear(early);
    expect(clock.countTimers()).to.equal(1);
    clock.tick(100);
    expect(fired).to.deep.equal(['early@100', 'late@200']);
  });
});
