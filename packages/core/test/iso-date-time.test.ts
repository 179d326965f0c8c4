import { expect } from 'chai';
import { parseIsoDateTime } from '@switchyard/core';

describe('parseIsoDateTime', () => {
  it('reads UTC and offset date-times to the millisecond', () => {
    expect(parseIsoDateTime('2030-01-31T09:30:00Z')?.toISOString()).to.equal('2030-01-31T09:30:00.000Z');
    expect(parseIsoDateTime('2030-01-31T09:30Z')?.toISOString()).to.equal('2030-01-31T09:30:00.000Z');
    expect(parseIsoDateTime('2030-01-31T09:30:00.029Z')?.toISOString()).to.equal('2030-01-31T09:30:00.029Z');
    expect(parseIsoDateTime('2030-01-31T09:30:00.5+01:30')?.toISOString()).to.equal('2030-01-31T08:00:00.500Z');
    expect(parseIsoDateTime('2030-01-31T23:30:00-02:00')?.toISOString()).to.equal('2030-02-01T01:30:00.000Z');
    expect(parseIsoDateTime('2028-02-29T00:00:00Z')?.toISOString()).to.equal('2028-02-29T00:00:00.000Z');
  });

  it('reads back whatever toISOString wrote', () => {
    for (const ms of [0, 1, 29, 999, 1_700_000_000_123, 4_102_444_800_007, 8.64e15, -8.64e15, -62_198_755_200_000]) {
      expect(parseIsoDateTime(new Date(ms).toISOString())?.getTime()).to.equal(ms);
    }
  });

  it('refuses what Date.parse would bend into some instant', () => {
    for (const text of [
      '5',
      '2005',
      '2030-01-31',
      '2030-01-31T09:30:00',
      '2030-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2030-13-01T00:00:00Z',
      '2030-01-31T24:00:00Z',
      '2030-01-31T09:60:00Z',
      '2030-01-31T09:30:60Z',
      '2030-01-31T09:30:00+24:00',
      'Thu, 31 Jan 2030 09:30:00 GMT',
      '-000000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.001Z',
      ' 2030-01-31T09:30:00Z',
      '',
    ]) {
      expect(parseIsoDateTime(text), text).to.equal(null);
    }
    for (const value of [5, null, undefined, new Date(0), {}]) expect(parseIsoDateTime(value)).to.equal(null);
  });
});
