import { expect } from 'chai';
import { mayBeGeneratedJobId, newJobId } from '@switchyard/core/provider-kit';

describe('generated job ids', () => {
  it('recognises every id newJobId gives', () => {
    for (let count = 0; count < 1000; count += 1) expect(mayBeGeneratedJobId(newJobId())).to.equal(true);
  });

  it('takes a lower-case version-4 UUID of any variant 8, 9, a or b', () => {
    for (const variant of ['8', '9', 'a', 'b']) {
      expect(mayBeGeneratedJobId(`0123abcd-ef01-4abc-${variant}def-0123456789ab`)).to.equal(true);
    }
  });

  it('refuses every id of another shape', () => {
    const refused = [
      '',
      'order-1',
      '0123abcd-ef01-4abc-8def-0123456789a', // one short
      '0123abcd-ef01-4abc-8def-0123456789abc', // one long
      '0123ABCD-ef01-4abc-8def-0123456789ab', // upper case
      '0123abcd-ef01-1abc-8def-0123456789ab', // version 1
      '0123abcd-ef01-4abc-cdef-0123456789ab', // variant c
      '0123abcd_ef01-4abc-8def-0123456789ab', // no dash
      '0123abcg-ef01-4abc-8def-0123456789ab', // not hex
      '0123abcd-ef01-4abc-8def-0123456789a:', // a colon
      '~123abcd-ef01-4abc-8def-0123456789ab',
    ];
    for (const id of refused) expect(mayBeGeneratedJobId(id), id).to.equal(false);
  });
});
