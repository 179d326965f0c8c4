import { expect } from 'chai';
import { runSwitchyard } from '../support/switchyard-process.js';

/** `switchyard demo` (what `npm run demo`, the README's first command, runs): the whole story on the memory provider. */
describe('switchyard demo', function () {
  this.timeout(90_000);

  it('plays the reminders story on the memory provider and exits 0', async () => {
    // QUEUE_PROVIDER unset means memory for the demo; were it Bull, the closed port would fail it.
    const demo = runSwitchyard(['demo'], { QUEUE_PROVIDER: '', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await demo.exited(), demo.stderr()).to.equal(0);
    expect(demo.stdout()).to.match(/^Switchyard demo on the memory provider/);
    expect(demo.stdout())
      .to.match(/SENT +email to ada@example.com/)
      .and.match(/SKIPPED +booking:b-1:/);
    expect(demo.stdout()).to.match(/DONE +\d+ reminders processed: \d+ sent, \d+ skipped by the guard\n$/);
  });
});
