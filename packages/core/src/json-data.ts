import { ValidationError } from './errors.js';
import { hasLoneSurrogate } from './unicode-text.js';

/**
 * How deeply objects and arrays may nest inside job data. MongoDB refuses documents
 * nested more than 100 levels (and the job document wraps the data), and an
 * unbounded depth would overflow the call stack of every recursive walk (this
 * validator, `JSON.stringify`, `structuredClone`) with a `RangeError`.
 */
export const MAX_DATA_DEPTH = 64;

/**
 * Job data must survive a trip through JSON unchanged, because Redis and MongoDB
 * backends store it that way: plain objects, arrays, strings, finite numbers,
 * booleans and null, nested at most `MAX_DATA_DEPTH` levels. Strings (and keys) must be
 * well-formed Unicode, and keys must not contain NUL: MongoDB could not store them as
 * given. A `Date` is refused too (it would come back as a string from one
 * backend and a Date from another); send `date.toISOString()` instead.
 * Throws `ValidationError` naming the path of the first offending value (`data.items[2]`),
 * or `data` when the serialised payload exceeds `maxPayloadBytes`.
 */
export function assertJsonData(data: unknown, maxPayloadBytes: number): void {
  let sizeBound: number;
  try {
    sizeBound = walkJson(data, undefined, new Set(), 0);
  } catch (error) {
    if (error !== NOT_PLAIN_JSON) throw error;
    // The quick walk only knows that something is wrong: walking again with paths says what, and where.
    walkJson(data, 'data', new Set(), 0);
    throw new ValidationError('data', 'is not plain JSON data');
  }
  if (sizeBound <= maxPayloadBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxPayloadBytes) {
    throw new ValidationError('data', `payload is ${bytes} bytes, over the limit of ${maxPayloadBytes}`);
  }
}

/** What the quick walk throws at the first value it refuses. */
const NOT_PLAIN_JSON = new Error('not plain JSON');

/** Refuses a value: on the quick walk (no path) with NOT_PLAIN_JSON, else with a ValidationError naming its path. */
function refuse(path: string | undefined, reason: string): never {
  throw path === undefined ? NOT_PLAIN_JSON : new ValidationError(path, reason);
}

/**
 * Checks `value` by the rules above and returns an upper bound of its UTF-8 JSON size
 * (a UTF-16 unit is at most 6 bytes, as an escape; a number at most 25), so that only
 * payloads near the limit need `JSON.stringify` to be measured exactly. Every scheduled
 * job goes through it without a `path`, which spares building a path string for each
 * value it passes; only a refused payload is walked again with paths, for the error.
 */
function walkJson(value: unknown, path: string | undefined, ancestors: Set<object>, depth: number): number {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) refuse(path, 'strings must be well-formed Unicode (a lone surrogate)');
      return value.length * 6 + 2;
    case 'boolean':
      return 5;
    case 'number':
      if (!Number.isFinite(value)) refuse(path, 'numbers must be finite (NaN and Infinity are not JSON)');
      return 25;
    case 'undefined':
      if (depth === 0) return 4; // no data at all is stored as null
      return refuse(path, 'undefined in an array is not JSON (it would come back as null)');
    case 'object':
      break;
    default:
      return refuse(path, `a ${typeof value} is not JSON-serialisable`);
  }
  if (value === null) return 4;
  if (ancestors.has(value)) refuse(path, 'circular reference');
  if (depth >= MAX_DATA_DEPTH) refuse(path, `nested more than ${MAX_DATA_DEPTH} levels deep`);
  ancestors.add(value);
  let bound = 2;
  if (Array.isArray(value)) {
    // An index loop, not forEach: a hole in a sparse array is refused like undefined (JSON makes it null).
    for (let index = 0; index < value.length; index += 1) {
      bound += walkJson(value[index], path === undefined ? undefined : `${path}[${index}]`, ancestors, depth + 1) + 1;
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = value.constructor?.name ?? 'object';
      refuse(path, `a ${kind} is not plain JSON data${kind === 'Date' ? ' (use an ISO string)' : ''}`);
    }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      // An undefined property is simply left out by JSON, and reads back as undefined: harmless.
      if (item === undefined) continue;
      if (key.includes('\u0000')) refuse(path, 'keys must not contain NUL characters');
      if (hasLoneSurrogate(key)) refuse(path, 'keys must be well-formed Unicode (a lone surrogate)');
      bound +=
        key.length * 6 + 4 + walkJson(item, path === undefined ? undefined : `${path}.${key}`, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
  return bound;
}
