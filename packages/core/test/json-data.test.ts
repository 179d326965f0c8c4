import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_DATA_DEPTH, ValidationError, assertJsonData } from '@switchyard/core';

/** The field a ValidationError names, or null when the data was accepted. */
function refusedField(data: unknown, maxPayloadBytes = 1024 * 1024): string | null {
  try {
    assertJsonData(data, maxPayloadBytes);
    return null;
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).field;
  }
}

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

describe('assertJsonData', () => {
  it('accepts a payload exactly at the limit and refuses it one byte under, for any plain JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
        expect(refusedField(value, bytes)).to.equal(null);
        expect(refusedField(value, bytes - 1)).to.equal('data');
      }),
      { numRuns: 500 },
    );
  });

  it('counts escaped and multi-byte characters at their UTF-8 JSON size', () => {
    for (const text of ['"\\\n\u0001', 'é'.repeat(40), '😀'.repeat(20), '\u2028']) {
      const bytes = Buffer.byteLength(JSON.stringify({ text }), 'utf8');
      expect(refusedField({ text }, bytes), JSON.stringify(text)).to.equal(null);
      expect(refusedField({ text }, bytes - 1), JSON.stringify(text)).to.equal('data');
    }
  });

  it('names the path of the first value JSON would not keep', () => {
    const circular: Record<string, unknown> = { ok: 1 };
    circular.self = circular;
    const cases: [unknown, string][] = [
      [{ at: new Date() }, 'data.at'],
      [{ list: [1, 2, Number.NaN] }, 'data.list[2]'],
      [{ list: [1, undefined] }, 'data.list[1]'],
      // eslint-disable-next-line no-sparse-arrays
      [{ list: [1, , 3] }, 'data.list[1]'],
      [{ run: () => 1 }, 'data.run'],
      [{ big: 10n }, 'data.big'],
      [{ deep: { text: 'a\uD800' } }, 'data.deep.text'],
      [{ deep: { ['k\uDC00']: 1 } }, 'data.deep'],
      [{ deep: { ['a\u0000b']: 1 } }, 'data.deep'],
      [{ nest: circular }, 'data.nest.self'],
      [new Map(), 'data'],
    ];
    for (const [data, field] of cases) expect(refusedField(data), field).to.equal(field);
  });

  it(`allows ${MAX_DATA_DEPTH} levels of nesting and no more`, () => {
    expect(refusedField(nested(MAX_DATA_DEPTH))).to.equal(null);
    expect(refusedField(nested(MAX_DATA_DEPTH + 1))).to.match(/^data(\.a)+$/);
  });

  it('accepts no data at all, and undefined properties, which JSON leaves out', () => {
    expect(refusedField(undefined)).to.equal(null);
    expect(refusedField({ phone: undefined, email: 'a@b.c' })).to.equal(null);
    expect(refusedField(Object.assign(Object.create(null), { a: 1 }))).to.equal(null);
  });
});
