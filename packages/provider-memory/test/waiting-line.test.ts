import { expect } from 'chai';
import { WaitingLine } from '../src/waiting-line.js';
import { nextRepeatRun } from '@switchyard/core';

describe('WaitingLine', () => {
  it('hands out the highest priority first, first-in first-out among equals', () => {
    const line = new WaitingLine();
    line.add({ id: 'low', priority: 9, sequence: 0 });
    line.add({ id: 'a', priority: 5, sequence: 1 });
    line.add({ id: 'urgent', priority: 1, sequence: 2 });
    line.add({ id: 'b', priority: 5, sequence: 3 });
    const order: string[] = [];
    for (let entry = line.takeNext(); entry !== undefined; entry = line.takeNext()) order.push(entry.id);
    expect(order).to.deep.equal(['urgent', 'a', 'b', 'low']);
  });

  it('removes an entry by id', () => {
    const line = new WaitingLine();
    line.add({ id: 'a', priority: 5, sequence: 0 });
    line.add({ id: 'b', priority: 5, sequence: 1 });
    expect(line.remove('a')).to.equal(true);
    expect(line.remove('a')).to.equal(false);
    expect(line.size).to.equal(1);
    expect(line.takeNext()?.id).to.equal('b');
  });
});

describe('nextRepeatRun', () => {
  const start = new Date('2026-01-01T00:00:00.000Z');
  it('skips occurrences missed while busy instead of firing them in a burst', () => {
    const now = new Date('2026-01-01T00:00:03.500Z');
    expect(nextRepeatRun({ everyMs: 1000 }, start, now).toISOString()).to.equal('2026-01-01T00:00:04.000Z');
  });
  it('starts an interval one period after now', () => {
    expect(nextRepeatRun({ everyMs: 250 }, null, start).toISOString()).to.equal('2026-01-01T00:00:00.250Z');
  });
});
