import { ValidationError } from './errors.js';

/**
 * How deeply objects and arrays may nest inside job data. MongoDB refuses documents
 * nested more than 100 levels (and the job document wraps the data), and an
 * unbounded depth would overflow the call stack of every recursive walk (this
 * validator, `JSON.stringify`, `structuredClone`) with a `RangeError`.
 */
export const MAX_DATA_DEPTH = 64;

/** A UTF-16 surrogate without its pair: no UTF-8 store (MongoDB's BSON) can keep it. */
const LONE_SURROGATE = /\p{Cs}/u;

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
  assertJsonValue(data, 'data', new Set(), 0);
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxPayloadBytes) {
    throw new ValidationError('data', `payload is ${bytes} bytes, over the limit of ${maxPayloadBytes}`);
  }
}

function assertJsonValue(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new ValidationError(path, 'strings must be well-formed Unicode (a lone surrogate)');
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
    value.forEach((item, index) => assertJsonValue(item, `${path}[${index}]`, ancestors, depth + 1));
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
      if (LONE_SURROGATE.test(key)) throw new ValidationError(path, 'keys must be well-formed Unicode (a lone surrogate)');
      assertJsonValue(item, `${path}.${key}`, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
}
