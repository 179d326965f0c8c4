/**
 * fast-check arbitraries of raw `POST /api/jobs` bodies (JSON text, so they can carry
 * what a JavaScript object literal cannot: own `__proto__` keys, `1e400`, lone
 * surrogates as `\ud800` escapes, broken syntax), built from the same calls as the
 * provider property plus text-level hostility.
 */
import fc from 'fast-check';
import { hostileCall, validCall, type ScheduleCall } from './hostile-arbitraries.js';

/** One request body. `valid` ones must be accepted (201, or 200 for an id that exists); `hostile` ones may be either. */
export interface JsonBody {
  kind: 'valid' | 'hostile';
  text: string;
}

/** Deeper than any walk should go without a limit; written as text since no serializer should recurse that far. */
const DEEP_LEVELS = 20_000;
/** Over fastify's default body limit (1 MiB): the server must answer 413 without reading it all into a job. */
const OVER_BODY_LIMIT = 1024 * 1024 + 1;

/**
 * JSON text for any value, keeping what JSON.stringify would silently repair: NaN stays
 * `NaN` (invalid JSON), ±Infinity becomes `±1e400` (valid JSON that parses to ±Infinity),
 * own `__proto__` keys stay keys. Cycles and absurd depth are cut off.
 */
export function toJsonText(value: unknown, ancestors: Set<object> = new Set()): string {
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? '1e400' : '-1e400';
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
    case 'symbol':
    case 'function':
      return 'null';
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object) || ancestors.size > 200) return '"[cut]"';
  if (object instanceof Date)
    return JSON.stringify(Number.isNaN(object.getTime()) ? 'not a date' : object.toISOString());
  ancestors.add(object);
  const text = Array.isArray(object)
    ? `[${object.map((item) => toJsonText(item, ancestors)).join(',')}]`
    : `{${Object.entries(object)
        .map(([key, item]) => `${JSON.stringify(key)}:${toJsonText(item, ancestors)}`)
        .join(',')}}`;
  ancestors.delete(object);
  return text;
}

function bodyText(call: ScheduleCall): string {
  const parts = [`"name":${toJsonText(call.name)}`];
  if (call.data !== undefined) parts.push(`"data":${toJsonText(call.data)}`);
  if (call.options !== undefined) parts.push(`"options":${toJsonText(call.options)}`);
  return `{${parts.join(',')}}`;
}

/**
 * A valid call stays valid over HTTP unless its text carries a key fastify's parser refuses
 * (`__proto__`, or `constructor` with a `prototype`): such bodies count as hostile.
 */
const validBody = validCall.map((call): JsonBody => {
  const text = bodyText(call);
  return { kind: /"__proto__"|"constructor"/.test(text) ? 'hostile' : 'valid', text };
});

const hostileBody = hostileCall.map((call): JsonBody => ({ kind: 'hostile', text: bodyText(call) }));

const rawHostileBody = fc
  .constantFrom<() => string>(
    () => '',
    () => '{',
    () => '{"name":"email",}',
    () => '{"name":"email"}trailing',
    () => 'null',
    () => '[]',
    () => '"email"',
    () => '\ufeff{"name":"email"}',
    () => '{"name":"email","name":5}',
    () => '{"name":"email","extra":1}',
    () => '{"name":"email","data":1e400}',
    () => '{"name":"email","data":{"a":NaN}}',
    () => '{"name":"email","data":"\\ud800"}',
    () => '{"name":"\\ud800"}',
    () => '{"name":"email","options":{"jobId":"\\udc00"}}',
    () => '{"name":"email","data":{"a\\u0000b":1}}',
    () => '{"__proto__":{"polluted":"yes"},"name":"email"}',
    () => '{"name":"email","data":{"__proto__":{"polluted":"yes"}}}',
    () => '{"name":"email","options":{"__proto__":{"delayMs":5}}}',
    () => '{"name":"email","data":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    () => '{"name":"email","options":{"runAt":"2030-13-45T99:00:00Z"}}',
    () => '{"name":"email","options":{"runAt":"not a date"}}',
    () => '{"name":"email","options":{"runAt":"+275761-01-01T00:00:00Z"}}',
    () => `{"name":"email","data":${'['.repeat(DEEP_LEVELS)}1${']'.repeat(DEEP_LEVELS)}}`,
    () => `{"name":"email","data":${'{"a":'.repeat(DEEP_LEVELS)}1${'}'.repeat(DEEP_LEVELS)}}`,
    () => `{"name":"email","data":${'{"__proto__":'.repeat(100)}1${'}'.repeat(100)}}`,
    () => `{"name":"email","data":"${'x'.repeat(600 * 1024)}"}`,
    () => `{"name":"email","data":"${'x'.repeat(OVER_BODY_LIMIT)}"}`,
    () => `{"name":"email","data":[${Array.from({ length: 300_000 }, () => '1').join(',')}]}`,
  )
  .map((make): JsonBody => ({ kind: 'hostile', text: make() }));

/** About 40 % valid bodies, the rest hostile objects and hostile text. */
export const jsonBody: fc.Arbitrary<JsonBody> = fc.oneof(
  { arbitrary: validBody, weight: 4 },
  { arbitrary: hostileBody, weight: 4 },
  { arbitrary: rawHostileBody, weight: 2 },
);

/** The `options.jobId` a body asks for, if it is readable JSON that names one. */
export function requestedJobIdOfBody(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { options?: { jobId?: unknown } } | null;
    const jobId = body?.options?.jobId;
    // An empty id cannot be looked up (getJob('') is a bad argument itself).
    return typeof jobId === 'string' && jobId !== '' ? jobId : undefined;
  } catch {
    return undefined;
  }
}
