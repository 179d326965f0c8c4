import { expect } from 'chai';
import { ValidationError } from '../errors.js';
import { MAX_ATTEMPTS, MIN_REPEAT_EVERY_MS } from '../validate-schedule.js';
import type { ScheduleOptions } from '../schedule-options.js';
import type { ContractFixture } from './contract-fixture.js';
import { CONTRACT_PROVIDER_OPTIONS } from './contract-options.js';
import { rejectionOf } from './rejection.js';

/** One row of the bad-input table: a `scheduleJob` call that must be refused. */
interface BadInput {
  title: string;
  name?: unknown;
  data?: unknown;
  options?: unknown;
  /** The `ValidationError.field` it must name, exactly as `validateSchedule` does. */
  field: string;
}

function circularData(): unknown {
  const node: Record<string, unknown> = { label: 'loop' };
  node.self = node;
  return node;
}

/** Just over the contract's size limit once serialised: `{"text":"xxx..."}`. */
const OVERSIZED_DATA = { text: 'x'.repeat(CONTRACT_PROVIDER_OPTIONS.maxPayloadBytes) };
/** Exactly at the limit: 11 bytes of `{"text":""}` plus the text. */
const LARGEST_DATA = { text: 'x'.repeat(CONTRACT_PROVIDER_OPTIONS.maxPayloadBytes - 11) };

const BAD_INPUTS: BadInput[] = [
  { title: 'an unknown option', options: { colour: 'red' }, field: 'colour' },
  { title: 'a NaN delayMs', options: { delayMs: Number.NaN }, field: 'delayMs' },
  { title: 'a negative delayMs', options: { delayMs: -1 }, field: 'delayMs' },
  { title: 'an Infinity delayMs', options: { delayMs: Number.POSITIVE_INFINITY }, field: 'delayMs' },
  { title: 'an invalid Date as runAt', options: { runAt: new Date('not a date') }, field: 'runAt' },
  { title: 'a runAt that is a string', options: { runAt: '2030-01-01T00:00:00Z' }, field: 'runAt' },
  {
    title: 'runAt together with delayMs',
    options: { runAt: new Date(Date.now() + 1000), delayMs: 1000 },
    field: 'runAt',
  },
  { title: 'priority 0', options: { priority: 0 }, field: 'priority' },
  { title: 'priority 11', options: { priority: 11 }, field: 'priority' },
  { title: 'priority 2.5', options: { priority: 2.5 }, field: 'priority' },
  { title: 'attempts 0', options: { attempts: 0 }, field: 'attempts' },
  { title: `attempts ${MAX_ATTEMPTS + 1}`, options: { attempts: MAX_ATTEMPTS + 1 }, field: 'attempts' },
  { title: 'attempts 1e308', options: { attempts: 1e308 }, field: 'attempts' },
  { title: 'an invalid cron expression', options: { repeat: { cron: 'every tuesday' } }, field: 'repeat.cron' },
  { title: 'a cron field out of range', options: { repeat: { cron: '61 * * * *' } }, field: 'repeat.cron' },
  {
    title: 'an unknown time zone',
    options: { repeat: { cron: '0 9 * * *', tz: 'Mars/Olympus_Mons' } },
    field: 'repeat.tz',
  },
  {
    title: 'a repeat with both cron and everyMs',
    options: { repeat: { cron: '* * * * *', everyMs: 1000 } },
    field: 'repeat',
  },
  { title: 'repeat everyMs 0', options: { repeat: { everyMs: 0 } }, field: 'repeat.everyMs' },
  { title: 'repeat everyMs 1', options: { repeat: { everyMs: 1 } }, field: 'repeat.everyMs' },
  {
    title: `repeat everyMs ${MIN_REPEAT_EVERY_MS - 1}`,
    options: { repeat: { everyMs: MIN_REPEAT_EVERY_MS - 1 } },
    field: 'repeat.everyMs',
  },
  { title: 'a repeat together with delayMs', options: { repeat: { everyMs: 1000 }, delayMs: 10 }, field: 'repeat' },
  { title: 'an empty name', name: '', field: 'name' },
  { title: 'a name that is not a string', name: 42, field: 'name' },
  { title: "a name holding ':'", name: 'email:welcome', field: 'name' },
  { title: 'a name holding ESC (a terminal escape sequence)', name: 'email\u001b[2J', field: 'name' },
  { title: 'a name holding DEL', name: 'email\u007f', field: 'name' },
  { title: 'a name holding a C1 control (CSI)', name: 'email\u009b31m', field: 'name' },
  { title: 'a name holding a right-to-left override', name: 'invoice\u202egnp.exe', field: 'name' },
  { title: 'a name holding a bidi isolate', name: 'email\u2066x\u2069', field: 'name' },
  { title: 'a name holding a right-to-left mark', name: 'email\u200f', field: 'name' },
  { title: 'data holding a function', data: { callback: () => 1 }, field: 'data.callback' },
  { title: 'data holding a BigInt', data: { amount: 10n }, field: 'data.amount' },
  { title: 'circular data', data: circularData(), field: 'data.self' },
  { title: 'data holding a Date', data: { when: new Date() }, field: 'data.when' },
  { title: 'NaN inside data', data: { items: [1, Number.NaN] }, field: 'data.items[1]' },
  { title: 'a payload over maxPayloadBytes', data: OVERSIZED_DATA, field: 'data' },
  { title: 'an unknown backoff type', options: { backoff: { type: 'linear', delayMs: 100 } }, field: 'backoff.type' },
  {
    title: 'a backoff jitter over 1',
    options: { backoff: { type: 'fixed', delayMs: 100, jitter: 1.5 } },
    field: 'backoff.jitter',
  },
  { title: 'timeoutMs 0', options: { timeoutMs: 0 }, field: 'timeoutMs' },
  { title: 'an empty jobId', options: { jobId: '' }, field: 'jobId' },
  { title: 'a jobId holding ESC', options: { jobId: 'id\u001b]0;pwned\u0007' }, field: 'jobId' },
  { title: 'a jobId holding a C1 control', options: { jobId: 'id\u0085' }, field: 'jobId' },
  { title: 'a jobId holding a left-to-right override', options: { jobId: 'id\u202d' }, field: 'jobId' },
];

/**
 * Bad input: every case its own test, each checking the exact field named and that
 * nothing was stored (on a provider that is running, so nothing was run either).
 */
export function describeBadInput(fixture: ContractFixture): void {
  describe('bad input', () => {
    for (const bad of BAD_INPUTS) {
      it(`refuses ${bad.title}: ValidationError on '${bad.field}', nothing stored`, async () => {
        const provider = await fixture.connectedProvider();
        const name = 'name' in bad ? bad.name : 'validated';
        const data = 'data' in bad ? bad.data : { ok: true };

        const error = await rejectionOf(() =>
          provider.scheduleJob(name as string, data, bad.options as ScheduleOptions | undefined),
        );
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).field).to.equal(bad.field);
        expect(await provider.listJobs()).to.deep.equal([]);
      });
    }

    it(`accepts the edge values: priority 1 and 10, delayMs 0, attempts 1 and ${MAX_ATTEMPTS}, jitter 1, everyMs ${MIN_REPEAT_EVERY_MS}, a payload at the limit`, async () => {
      const provider = await fixture.connectedProvider();
      await provider.scheduleJob('validated', {}, { priority: 1 });
      await provider.scheduleJob('validated', {}, { priority: 10, delayMs: 0, attempts: 1 });
      await provider.scheduleJob('validated', {}, { attempts: MAX_ATTEMPTS, delayMs: 3_600_000 });
      await provider.scheduleJob('validated', {}, { backoff: { type: 'fixed', delayMs: 0, jitter: 1 } });
      await provider.scheduleJob('validated', {}, { repeat: { everyMs: MIN_REPEAT_EVERY_MS } });
      await provider.scheduleJob('validated', LARGEST_DATA);
      expect(await provider.listJobs()).to.have.lengthOf(6);
    });
  });
}
