/**
 * Processes starting together on a schema nobody used yet, as the worker processes of a
 * fresh deployment do: each `connect()` makes what it needs there, and none of them may
 * fail because another is making the same.
 */
import { expect } from 'chai';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startPostgres } from '../../../test/support/start-postgres.js';

const PROVIDERS = 6;
let schemas = 0;

describe('BullMQQueueProvider on PostgreSQL: a fresh schema', function () {
  this.timeout(60_000);

  it(`${PROVIDERS} providers connecting to it at once all connect, and share its jobs`, async () => {
    const databaseUrl = (await startPostgres()).url;
    const schema = `fresh_${process.pid}_${(schemas += 1)}`;
    const providers = Array.from(
      { length: PROVIDERS },
      () => new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema }),
    );
    try {
      const outcomes = await Promise.allSettled(providers.map((provider) => provider.connect()));
      expect(
        outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'connected')),
      ).to.deep.equal(providers.map(() => 'connected'));
      const id = await providers[0]!.scheduleJob('fresh', { n: 1 }, { delayMs: 60_000 });
      expect((await providers.at(-1)!.getJob(id))?.data).to.deep.equal({ n: 1 });
    } finally {
      await Promise.all(providers.map((provider) => provider.close({ timeoutMs: 1000 })));
    }
  });
});
