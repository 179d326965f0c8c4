import { expect } from 'chai';
import { containerEnvironments } from '../support/container-environments.js';
import { runScript } from '../support/script-process.js';

const driverLoads = new URL('./fixtures/bullmq-driver-loads.ts', import.meta.url);

/** What a process on each BullMQ backend loads: the chosen backend's driver, and never `pg` for Redis. */
describe('createContainer with QUEUE_PROVIDER=bullmq: drivers loaded', function () {
  this.timeout(60_000);

  for (const [name, expected] of [
    ['bullmq-redis', { pg: false }],
    ['bullmq-postgres', { pg: true }],
  ] as const) {
    it(`${name}: loads pg ${expected.pg ? 'to reach PostgreSQL' : 'never'}`, async () => {
      const environment = containerEnvironments().find((each) => each.name === name)!;
      const script = runScript(driverLoads, [], await environment.env());
      const line = await script.line(/^drivers /, 45_000);
      expect(await script.exited(15_000), script.stderr()).to.equal(0);
      expect(JSON.parse(line.slice('drivers '.length))).to.include(expected);
    });
  }
});
