/**
 * fast-check arbitraries of `scheduleJob(name, data, options)` calls, for the hostile
 * input property: half built to be valid (a provider must store them exactly), half
 * hostile (wrong types, NaN, Infinity, huge numbers, invalid dates, deep nesting, own
 * `__proto__` / `constructor` keys, cycles, oversized payloads), which a provider must
 * either store exactly or refuse with a `ValidationError`.
 */
import fc from 'fast-check';
import { MAX_ATTEMPTS, MIN_REPEAT_EVERY_MS } from '@switchyard/core';
import {
  BULL_KEY_NAME_IDS,
  KEY_SHAPED_IDS,
  LONGEST_JOB_ID,
  LONGEST_JOB_NAME,
  LOOK_ALIKE_ID_PAIRS,
  ODD_BUT_VALID_NAMES,
  REFUSED_IDS,
  REFUSED_NAMES,
} from '@switchyard/core/testing';

/** One generated call. `kind: 'valid'` calls are valid by construction; `hostile` ones may be either. */
export interface ScheduleCall {
  kind: 'valid' | 'hostile';
  name: unknown;
  data: unknown;
  options: unknown;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The latest instant a Date can hold. */
const LATEST_DATE_MS = 8.64e15;
const MAX_PAYLOAD_BYTES = 512 * 1024;

/** `{"__proto__": value}` with `__proto__` as a real own key, as JSON.parse makes it (a literal would set the prototype). */
export function withOwnProtoKey(value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const object: Record<string, unknown> = { ...extra };
  Object.defineProperty(object, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Nested `levels` deep: `[[[...leaf]]]` or `{a:{a:...}}`. */
export function nested(levels: number, shape: 'array' | 'object', leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i += 1) value = shape === 'array' ? [value] : { a: value };
  return value;
}

// ---------------------------------------------------------------- valid calls

/** What the validator refuses in any name or id: control (C0, DEL, C1) and bidirectional formatting characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const REFUSED_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Mostly a small pool of names (Bull opens a queue, with its own connections, per name),
 * with tricky ones among them (the contract's odd but valid names: `/`, Bull's key
 * names, the longest name); now and then a fresh random one. No `:` (refused in names).
 */
const validName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'email',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '../../etc/passwd',
      '$where',
      'x'.repeat(200),
      'e-mail ✉',
      LONGEST_JOB_NAME,
      ...ODD_BUT_VALID_NAMES,
    ),
    weight: 20,
  },
  {
    arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter((name) => name.trim() !== '' && !name.includes(':')),
    weight: 1,
  },
  {
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((name) => name.trim() !== '' && !name.includes(':') && !REFUSED_CHARACTER.test(name)),
    weight: 1,
  },
);

/** Keys that look dangerous but are fine as data: they must come back as own keys, prototypes untouched. */
const trickyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '$set',
  'a.b',
  '',
  ' ',
  '0',
  '\u2028',
  '😀',
);

const jsonLeaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('\u0000', 'a\u0000b'), // NUL inside a string value is JSON and BSON alike
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 63,
    -0,
    1e308,
  ),
  fc.boolean(),
  fc.constant(null),
);

/** Valid JSON data, including own `__proto__` / `constructor` keys and null-prototype objects. */
const validData: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), trickyKey), tie('value'), { maxKeys: 5 }).map((entries) => {
      // Own keys by defineProperty, so a '__proto__' entry is data, not the prototype.
      const object: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(entries)) {
        Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
      }
      return object;
    }),
  ),
})).value;

const validDataAtTopLevel = fc.oneof(
  { arbitrary: validData, weight: 40 },
  { arbitrary: fc.constant(undefined), weight: 5 },
  {
    arbitrary: fc.constant(
      JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
    ),
    weight: 5,
  },
  { arbitrary: fc.constant(withOwnProtoKey([{}, { polluted: 'yes' }], { ok: true })), weight: 5 },
  {
    arbitrary: fc.constant(Object.assign(Object.create(null) as Record<string, unknown>, { nullPrototype: true })),
    weight: 5,
  },
  { arbitrary: fc.constant({ kept: 1, droppedByJson: undefined }), weight: 5 },
  { arbitrary: fc.constant(nested(64, 'array')), weight: 5 }, // the deepest nesting allowed (64 levels)
  // Just under the payload limit; rare, since an in-process test MongoDB copies every stored document per query.
  { arbitrary: fc.constant({ big: 'x'.repeat(MAX_PAYLOAD_BYTES - 100) }), weight: 1 },
);

/** A job id unique to this call, so valid calls do not collide (collisions are tested by the hostile ids). */
const uniqueJobId = fc
  .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.uuid())
  .map(([text, uuid]) => `${text}-${uuid}`);

/** Far enough ahead that nothing runs during the test, even if a provider were started. */
const farDelayMs = fc.integer({ min: DAY_MS, max: 3650 * DAY_MS });
const farRunAt = fc.oneof(
  fc.integer({ min: DAY_MS, max: 3650 * DAY_MS }).map((ms) => new Date(Date.now() + ms)),
  fc.constant(new Date(LATEST_DATE_MS)),
);
const validBackoff = fc.record(
  {
    type: fc.constantFrom('fixed', 'exponential'),
    delayMs: fc.integer({ min: 0, max: DAY_MS }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: ['type', 'delayMs'] },
);
const validRepeat = fc.oneof(
  fc.record({ everyMs: fc.integer({ min: MIN_REPEAT_EVERY_MS, max: 365 * DAY_MS }) }),
  fc.record(
    {
      cron: fc.constantFrom('0 9 * * 1-5', '*/5 * * * *', '0 0 1 1 *', '30 2 29 2 *'),
      tz: fc.constantFrom('UTC', 'Europe/Paris', 'Asia/Kolkata'),
    },
    { requiredKeys: ['cron'] },
  ),
);
/**
 * Ids that recur across calls (the second call must be a no-op returning the same id),
 * most of them tricky: the contract's hostile classes (Bull's key names, key-shaped
 * ids, ids differing only in case or normalisation, the longest id).
 */
const recurringJobId = fc.constantFrom(
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'x'.repeat(256),
  ...BULL_KEY_NAME_IDS,
  ...KEY_SHAPED_IDS,
  ...LOOK_ALIKE_ID_PAIRS.flat(),
  LONGEST_JOB_ID,
);
/** Every form `removeOnComplete` / `removeOnFail` take (see core's `RetentionOption`). */
const validRetention = fc.oneof(
  fc.boolean(),
  fc.nat({ max: 10_000 }),
  fc
    .record(
      { ageMs: fc.integer({ min: 1, max: 30 * 86_400_000 }), count: fc.nat({ max: 10_000 }) },
      { requiredKeys: [] },
    )
    .filter((retention) => Object.keys(retention).length > 0),
);
const commonValidOptions = {
  jobId: fc.oneof({ arbitrary: uniqueJobId, weight: 4 }, { arbitrary: recurringJobId, weight: 1 }),
  priority: fc.integer({ min: 1, max: 10 }),
  attempts: fc.integer({ min: 1, max: MAX_ATTEMPTS }),
  backoff: validBackoff,
  timeoutMs: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  removeOnComplete: validRetention,
  removeOnFail: validRetention,
};
const validOptions = fc.oneof(
  fc.record({ ...commonValidOptions, delayMs: farDelayMs }, { requiredKeys: ['delayMs'] }),
  fc.record({ ...commonValidOptions, runAt: farRunAt }, { requiredKeys: ['runAt'] }),
  fc.record({ ...commonValidOptions, repeat: validRepeat }, { requiredKeys: ['repeat'] }),
);

export const validCall: fc.Arbitrary<ScheduleCall> = fc
  .record({ name: validName, data: validDataAtTopLevel, options: validOptions })
  .map((call) => ({ kind: 'valid' as const, ...call }));

// ---------------------------------------------------------------- hostile calls

const hostileNumber = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -1,
    -0,
    0,
    0.5,
    1e300,
    1e308,
    -1e300,
    1001,
    2 ** 31,
    2 ** 53,
    8.64e15,
    9e15,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  ),
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
);
const invalidDate = fc.constant(new Date(NaN));
const anyDate = fc.oneof(
  fc.date({ noInvalidDate: false }),
  invalidDate,
  fc.constant(new Date(LATEST_DATE_MS)),
  fc.constant(new Date(-LATEST_DATE_MS)),
);

/** A value of any wrong (or right) type for an option or a name. */
const hostileScalar = fc.oneof(
  hostileNumber,
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', '5', '1e3', 'NaN', 'true', '2030-01-01T00:00:00Z'),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  anyDate,
  fc.constantFrom<unknown>([], {}, [1], { a: 1 }, Symbol('hostile'), 10n, () => 1, new Number(3), new String('email')),
  fc.constant(withOwnProtoKey({ polluted: 'yes' })),
);

/** Retention objects with a field out of range, of the wrong type, or unknown. */
const hostileRetention = fc.oneof(
  hostileScalar,
  fc.record(
    { ageMs: fc.oneof(hostileNumber, hostileScalar), count: fc.oneof(hostileNumber, hostileScalar), age: fc.integer() },
    { requiredKeys: [] },
  ),
);

const hostileName = fc.oneof(
  hostileScalar,
  fc.constantFrom('', '   ', 'x'.repeat(201), 'bad\nname', 'a\u0000b', '\u001f', '\ud800', 'a\udc00b'),
  fc.constantFrom('\u2028', '😀', ' padded ', 'a:b', ...REFUSED_NAMES.map(({ name }) => name)),
);

const hostileJobId = fc.oneof(
  hostileScalar,
  fc.constantFrom('', '  ', 'x'.repeat(257), 'a\nb', '\ud800', ...REFUSED_IDS.map(({ id }) => id)),
  recurringJobId,
  fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
);

/** Leaves that JSON cannot carry unchanged. */
const hostileLeaf = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    undefined,
    Symbol('s'),
    10n,
    () => 'code',
    new Date(),
    new Date(NaN),
  ),
  fc.constantFrom<unknown>(
    new Map([[1, 2]]),
    new Set([1]),
    /re/g,
    Buffer.from('hi'),
    new Uint8Array([1, 2]),
    new Number(1),
    new Boolean(false),
  ),
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- an instance of a class of its own is the hostile input
  fc.constantFrom<unknown>(new Error('boom'), Promise.resolve(1), new (class Custom {})(), new WeakMap()),
  fc.constantFrom('\ud800', 'x\udfffy'),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** Keys that no backend can keep as given. */
const hostileKey = fc.constantFrom('a\u0000b', '\u0000', '\ud800', 'k\udc00');

const hostileDataTree: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .dictionary(fc.oneof(fc.string({ maxLength: 8 }), trickyKey, hostileKey), tie('value'), { maxKeys: 4 })
      .map((entries) => {
        const object: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(entries)) {
          Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
        }
        return object;
      }),
  ),
})).value;

/** Fresh cyclic structures (made per call, so no two calls share one). */
const cyclicData = fc.constantFrom('self', 'array', 'deep').map((shape) => {
  const root: Record<string, unknown> = { name: 'root' };
  if (shape === 'self') root.self = root;
  if (shape === 'array') root.items = [1, root];
  if (shape === 'deep') root.a = { b: { c: [{ back: root }] } };
  return root;
});

const oversizedData = fc
  .constantFrom<() => unknown>(
    () => 'x'.repeat(MAX_PAYLOAD_BYTES + 1),
    () => '€'.repeat(MAX_PAYLOAD_BYTES / 3 + 1), // under the limit in characters, over it in UTF-8 bytes
    () => Array.from({ length: 120_000 }, (_, i) => i),
    () => ({ blob: 'y'.repeat(2 * 1024 * 1024) }),
  )
  .map((make) => make());

const hostileData = fc.oneof(
  { arbitrary: hostileDataTree, weight: 6 },
  { arbitrary: cyclicData, weight: 2 },
  { arbitrary: oversizedData, weight: 1 },
  {
    arbitrary: fc
      .constantFrom(64, 65, 100, 20_000)
      .chain((levels) => fc.constantFrom(nested(levels, 'array'), nested(levels, 'object'))),
    weight: 2,
  },
  { arbitrary: validDataAtTopLevel, weight: 2 },
);

const hostileBackoff = fc.oneof(
  hostileScalar,
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('fixed', 'exponential', 'linear', ''), hostileScalar),
      delayMs: hostileNumber,
      maxDelayMs: hostileNumber,
      jitter: hostileNumber,
      extra: hostileScalar,
    },
    { requiredKeys: [] },
  ),
  fc.constant(withOwnProtoKey({ type: 'fixed' }, { type: 'fixed', delayMs: 10 })),
);

const hostileRepeat = fc.oneof(
  hostileScalar,
  fc.record({ everyMs: hostileNumber }),
  fc.record(
    {
      cron: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('* * * * * * *', '61 * * * *', '@yearly', '0 0 31 2 *', ''),
      ),
      tz: fc.oneof(fc.string({ maxLength: 12 }), hostileScalar),
    },
    { requiredKeys: ['cron'] },
  ),
  fc.record({ cron: fc.constant('* * * * *'), everyMs: fc.constant(1000) }),
  fc.constant(withOwnProtoKey({ everyMs: 1 }, { everyMs: 1000 })),
);

/** Option objects with hostile values in any field, unknown keys included. */
const hostileOptionFields = fc.record(
  {
    jobId: hostileJobId,
    runAt: fc.oneof(anyDate, hostileScalar),
    delayMs: fc.oneof(hostileNumber, hostileScalar),
    priority: fc.oneof(hostileNumber, hostileScalar),
    attempts: fc.oneof(hostileNumber, hostileScalar),
    backoff: hostileBackoff,
    timeoutMs: fc.oneof(hostileNumber, hostileScalar),
    repeat: hostileRepeat,
    removeOnComplete: hostileRetention,
    removeOnFail: hostileRetention,
    delay: fc.integer(),
    toString: hostileScalar,
  },
  { requiredKeys: [] },
);

/** A valid option object with exactly one field made hostile: the refusal must name that field. */
const oneBadField = fc
  .tuple(
    validOptions,
    fc.constantFrom(
      'jobId',
      'runAt',
      'delayMs',
      'priority',
      'attempts',
      'backoff',
      'timeoutMs',
      'repeat',
      'removeOnComplete',
      'removeOnFail',
    ),
    hostileScalar,
  )
  .map(([options, key, value]) => ({ ...(options as Record<string, unknown>), [key]: value }));

const hostileOptions = fc.oneof(
  { arbitrary: hostileOptionFields, weight: 4 },
  { arbitrary: oneBadField, weight: 4 },
  { arbitrary: hostileScalar, weight: 2 },
  { arbitrary: fc.constant(withOwnProtoKey({ delayMs: 1 })), weight: 1 },
  {
    arbitrary: fc.constant(
      JSON.parse('{"delayMs": 86400000, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
    ),
    weight: 1,
  },
  { arbitrary: validOptions, weight: 3 },
);

/** Each hostile call spoils name, data, options, or all three at once. */
export const hostileCall: fc.Arbitrary<ScheduleCall> = fc
  .oneof(
    fc.record({ name: hostileName, data: validDataAtTopLevel, options: validOptions }),
    fc.record({ name: validName, data: hostileData, options: validOptions }),
    fc.record({ name: validName, data: validDataAtTopLevel, options: hostileOptions }),
    fc.record({ name: hostileName, data: hostileData, options: hostileOptions }),
  )
  .map((call) => ({ kind: 'hostile' as const, ...call }));

/** The mix the property runs: about 40 % valid by construction, 60 % hostile. */
export const scheduleCall: fc.Arbitrary<ScheduleCall> = fc.oneof(
  { arbitrary: validCall, weight: 2 },
  { arbitrary: hostileCall, weight: 3 },
);

/**
 * The job id a call asks for, when it asks for one that can be looked up (a non-empty
 * string: `getJob('')` is itself a bad argument), to check a refused call did not touch it.
 */
export function requestedJobId(call: ScheduleCall): string | undefined {
  const options = call.options;
  if (typeof options !== 'object' || options === null) return undefined;
  const jobId = (options as Record<string, unknown>).jobId;
  return typeof jobId === 'string' && jobId !== '' ? jobId : undefined;
}
