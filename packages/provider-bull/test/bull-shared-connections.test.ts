import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startRedis, type RedisServer } from '../../../test/support/start-redis.js';

describe('BullQueueProvider: connections shared by every job name', function () {
  this.timeout(30_000);
  let redis: RedisServer;

  before(async () => {
    redis = await startRedis();
  });

  it('runs 25 job names on its shared connections without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const provider = new BullQueueProvider({ redisUrl: redis.url, prefix: `names-${randomUUID()}` });
    try {
      const names = Array.from({ length: 25 }, (_, index) => `name-${index}`);
      for (const name of names) provider.registerProcessor({ name, process: async () => 'done' }, { concurrency: 1 });
      await provider.start();
      let completed = 0;
      const allDone = new Promise<void>((resolve) =>
        provider.on('completed', () => {
          completed += 1;
          if (completed === names.length) resolve();
        }),
      );
      await Promise.all(names.map((name) => provider.scheduleJob(name, { name })));
      await allDone;
      // Node emits 'warning' on the next tick after the listener that crossed the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).to.not.include('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await provider.close();
    }
  });
});
