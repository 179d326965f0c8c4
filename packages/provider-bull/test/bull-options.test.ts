import { expect } from 'chai';
import { ValidationError } from '@switchyard/core';
import { BullQueueProvider, type BullQueueProviderOptions } from '@switchyard/provider-bull';

/** Bad settings are refused when the provider is made, naming the setting, before anything connects. */
describe('BullQueueProvider: its settings', () => {
  for (const redisUrl of [undefined, '', 42]) {
    it(`refuses a redisUrl of ${JSON.stringify(redisUrl)} with a ValidationError on redisUrl`, () => {
      const make = () => new BullQueueProvider({ redisUrl } as unknown as BullQueueProviderOptions);
      expect(make).to.throw(ValidationError).with.property('field', 'redisUrl');
    });
  }
});
