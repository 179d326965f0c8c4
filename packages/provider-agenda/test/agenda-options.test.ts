import { expect } from 'chai';
import { ValidationError } from '@switchyard/core';
import { AgendaQueueProvider, type AgendaQueueProviderOptions } from '@switchyard/provider-agenda';

const URL = 'mongodb://127.0.0.1:27017/jobs';

/** Bad settings are refused when the provider is made, naming the setting, before anything connects. */
describe('AgendaQueueProvider: its settings', () => {
  const refusals: [string, Partial<AgendaQueueProviderOptions>, string][] = [
    ['an empty collection name', { collection: ' ' }, 'collection'],
    ['a collection name with $', { collection: 'jobs$' }, 'collection'],
    ['a processEveryMs of 0', { processEveryMs: 0 }, 'processEveryMs'],
    ['a fractional lockLifetimeMs', { lockLifetimeMs: 1500.5 }, 'lockLifetimeMs'],
    ['a connectTimeoutMs that is not a number', { connectTimeoutMs: '1000' as unknown as number }, 'connectTimeoutMs'],
    [
      'a lock that expires before the next poll would renew it',
      { processEveryMs: 5000, lockLifetimeMs: 9999 },
      'lockLifetimeMs',
    ],
    ['a URL that is not mongodb://', { mongoUrl: 'redis://127.0.0.1:6379' }, 'mongoUrl'],
  ];
  for (const [what, settings, field] of refusals) {
    it(`refuses ${what} with a ValidationError on ${field}`, () => {
      const make = () => new AgendaQueueProvider({ mongoUrl: URL, ...settings } as AgendaQueueProviderOptions);
      expect(make).to.throw(ValidationError).with.property('field', field);
    });
  }

  it('takes a mongodb+srv:// URL and the defaults', () => {
    expect(new AgendaQueueProvider({ mongoUrl: 'mongodb+srv://cluster.example.net/jobs' }).name).to.equal('agenda');
  });
});
