import { expect } from 'chai';
import { ValidationError } from '@switchyard/core';
import { BullMQQueueProvider, type BullMQQueueProviderOptions } from '@switchyard/provider-bullmq';

/** Bad settings are refused when the provider is made, naming the setting, before anything connects. */
describe('BullMQQueueProvider: its settings', () => {
  const refused: [string, unknown, string][] = [
    ['no options', undefined, 'redisUrl'],
    ['an unknown backend', { backend: 'mysql', redisUrl: 'redis://127.0.0.1' }, 'backend'],
    ['Redis without a URL', { backend: 'redis' }, 'redisUrl'],
    ['Redis with an empty URL', { redisUrl: '' }, 'redisUrl'],
    ['Redis with a URL that is not a string', { redisUrl: 42 }, 'redisUrl'],
    ['PostgreSQL without a URL', { backend: 'postgres', redisUrl: 'redis://127.0.0.1' }, 'databaseUrl'],
    ['PostgreSQL with an empty URL', { backend: 'postgres', databaseUrl: '' }, 'databaseUrl'],
  ];
  for (const [what, options, field] of refused) {
    it(`refuses ${what} with a ValidationError on ${field}`, () => {
      const make = () => new BullMQQueueProvider(options as BullMQQueueProviderOptions);
      expect(make).to.throw(ValidationError).with.property('field', field);
    });
  }

  it('takes a Redis URL alone (Redis is the default backend), and a PostgreSQL URL with backend postgres', () => {
    expect(new BullMQQueueProvider({ redisUrl: 'redis://127.0.0.1:6390' }).name).to.equal('bullmq');
    expect(new BullMQQueueProvider({ backend: 'postgres', databaseUrl: 'postgres://127.0.0.1:5499/db' }).name).to.equal(
      'bullmq',
    );
  });
});
