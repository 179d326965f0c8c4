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
    sizeBound = jsonSizeBound(data, new Set(), 0);
  } catch (error) {
    if (error !== NOT_PLAIN_JSON) throw error;
    // The quick walk only knows that something is wrong: this one says what, and where.
    assertJsonValue(data, 'data', new Set(), 0);
    throw new ValidationError('data', 'is not plain JSON data');
  }
  if (sizeBound <= maxPayloadBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxPayloadBytes) {
    throw new ValidationError('data', `payload is ${bytes} bytes, over the limit of ${maxPayloadBytes}`);
  }
}

/** Thrown by `jsonSizeBound` at the first value `assertJsonValue` would refuse. */
const NOT_PLAIN_JSON = new Error('not plain JSON');

/**
 * The quick check every scheduled job goes through: the same rules as
 * `assertJsonValue`, without building a path for every value it passes, and an upper
 * bound of the payload's UTF-8 JSON size on the way (a UTF-16 unit is at most 6 bytes,
 * as an escape; a number at most 25), so that only payloads near the limit need
 * `JSON.stringify` to be measured exactly.
 */
function jsonSizeBound(value: unknown, ancestors: Set<object>, depth: number): number {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw NOT_PLAIN_JSON;
      return value.length * 6 + 2;
    case 'boolean':
      return 5;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN_JSON;
      return 25;
    case 'undefined':
      if (depth === 0) return 4; // no data at all is stored as null
      throw NOT_PLAIN_JSON;
    case 'object':
      break;
    default:
      throw NOT_PLAIN_JSON;
  }
  if (value === null) return 4;
  if (depth >= MAX_DATA_DEPTH || ancestors.has(value)) throw NOT_PLAIN_JSON;
  ancestors.add(value);
  let bound = 2;
  if (Array.isArray(value)) {
    for (const item of value) bound += jsonSizeBound(item, ancestors, depth + 1) + 1;
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN_JSON;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      if (key.includes('\u0000') || hasLoneSurrogate(key)) throw NOT_PLAIN_JSON;
      bound += key.length * 6 + 4 + jsonSizeBound(item, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
  return bound;
}

function assertJsonValue(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
      if (hasLoneSurrogate(value)) throw new ValidationError(path, 'strings must be well-formed Unicode (a lone surrogate)');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, 'numbers must be finite (NaN and Infinity are not JSON)');
      return;
    case 'undefined':
      if (path === 'data') return; // no data at all is stored as null
      throw new ValidationError(path, 'undefined in an array is not JSON (it would come back as null)');
    case 'object':
      break;
    default:
      throw new ValidationError(path, `a ${typeof value} is not JSON-serialisable`);
  }
  if (value === null) return;
  if (ancestors.has(value)) throw new ValidationError(path, 'circular reference');
  if (depth >= MAX_DATA_DEPTH) throw new ValidationError(path, `nested more than ${MAX_DATA_DEPTH} levels deep`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    // An index loop, not forEach: a hole in a sparse array is refused like undefined (JSON makes it null).
    for (let index = 0; index < value.length; index += 1) assertJsonValue(value[index], `${path}[${index}]`, ancestors, depth + 1);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new ValidationError(path, `a ${kind} is not plain JSON data${kind === 'Date' ? ' (use an ISO string)' : ''}`);
    }
    for (const [key, item] of Object.entries(value)) {
      // An undefined property is simply left out by JSON, and reads back as undefined: harmless.
      if (item === undefined) continue;
      if (key.includes('\u0000')) throw new ValidationError(path, 'keys must not contain NUL characters');
      if (hasLoneSurrogate(key)) throw new ValidationError(path, 'keys must be well-formed Unicode (a lone surrogate)');
      assertJsonValue(item, `${path}.${key}`, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
}
