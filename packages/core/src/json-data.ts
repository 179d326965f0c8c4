import { ValidationError } from './errors.js';

/**
 * Job data must survive a trip through JSON unchanged, because Redis and MongoDB
 * backends store it that way: plain objects, arrays, strings, finite numbers,
 * booleans and null. A `Date` is refused too (it would come back as a string from one
 * backend and a Date from another); send `date.toISOString()` instead.
 * Throws `ValidationError` naming the path of the first offending value (`data.items[2]`),
 * or `data` when the serialised payload exceeds `maxPayloadBytes`.
 */
export function assertJsonData(data: unknown, maxPayloadBytes: number): void {
  assertJsonValue(data, 'data', new Set());
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxPayloadBytes) {
    throw new ValidationError('data', `payload is ${bytes} bytes, over the limit of ${maxPayloadBytes}`);
  }
}

function assertJsonValue(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
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
  ancestors.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJsonValue(item, `${path}[${index}]`, ancestors));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      throw new ValidationError(path, `a ${kind} is not plain JSON data${kind === 'Date' ? ' (use an ISO string)' : ''}`);
    }
    for (const [key, item] of Object.entries(value)) {
      // An undefined property is simply left out by JSON, and reads back as undefined: harmless.
      if (item !== undefined) assertJsonValue(item, `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(value);
}
