/**
 * What an update statement does to one document: operator updates (`$set`, `$inc`,
 * `$unset`, `$push`, `$setOnInsert`...), whole-document replacement, and pipeline
 * updates, plus the document an upsert inserts when nothing matched.
 *
 * Every function returns a new document and leaves its input untouched, so the
 * collection store can check unique indexes before committing anything.
 */
import { EJSON, ObjectId, type Document } from 'bson';
import { update as applyOperators } from 'mingo';
import { MongoCommandError } from './mongo-error.js';
import { cloneDocument, runPipeline } from './query-engine.js';

export type UpdateKind = 'operators' | 'replacement' | 'pipeline';

/** The operators mingo applies; `$setOnInsert` is handled here because it depends on insert-vs-update. */
const SUPPORTED_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$bit',
  '$setOnInsert',
]);

/** Classifies an update the way mongod does: all `$` keys, no `$` keys, or an array (pipeline). */
export function classifyUpdate(update: unknown): UpdateKind {
  if (Array.isArray(update)) return 'pipeline';
  if (update === null || typeof update !== 'object') {
    throw new MongoCommandError('FailedToParse', 'Update argument must be either an object or an array');
  }
  const keys = Object.keys(update);
  const operatorKeys = keys.filter((key) => key.startsWith('$'));
  if (operatorKeys.length === 0) return 'replacement';
  if (operatorKeys.length !== keys.length) {
    const plain = keys.find((key) => !key.startsWith('$'));
    throw new MongoCommandError(
      'FailedToParse',
      `Unknown modifier: ${String(plain)}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  for (const key of operatorKeys) {
    if (!SUPPORTED_OPERATORS.has(key)) {
      throw new MongoCommandError(
        'FailedToParse',
        `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
  }
  return 'operators';
}

function sameValue(left: unknown, right: unknown): boolean {
  return EJSON.stringify({ v: left }, { relaxed: false }) === EJSON.stringify({ v: right }, { relaxed: false });
}

const NUMERIC_BSON_TYPES = new Set(['Long', 'Int32', 'Double', 'Decimal128']);

function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return true;
  const bsonType = (value as { _bsontype?: unknown } | null)?._bsontype;
  return typeof bsonType === 'string' && NUMERIC_BSON_TYPES.has(bsonType);
}

/** mingo silently ignores `$inc` / `$mul` on non-numbers; mongod refuses them with TypeMismatch. */
function assertNumericArithmetic(document: Document, operators: Document): void {
  for (const operator of ['$inc', '$mul'] as const) {
    const fields = operators[operator] as Document | undefined;
    if (fields === undefined) continue;
    for (const [path, amount] of Object.entries(fields)) {
      if (!isNumeric(amount)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot ${operator === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${EJSON.stringify(amount)}}`,
        );
      }
      const current = valueAtPath(document, path);
      if (current !== undefined && current !== null && !isNumeric(current)) {
        throw new MongoCommandError(
          'TypeMismatch',
          `Cannot apply ${operator} to a value of non-numeric type. {_id: ${EJSON.stringify(document._id)}} has the field '${path}' of non-numeric type`,
        );
      }
    }
  }
}

function valueAtPath(document: Document, path: string): unknown {
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Document)[part];
  }
  return current;
}

function setAtPath(document: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let current: Document = document;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== 'object') current[part] = {};
    current = current[part] as Document;
  }
  current[parts[parts.length - 1] as string] = value;
}

/** `_id` first, as mongod stores it. */
function withIdFirst(document: Document): Document {
  if (!('_id' in document)) return document;
  const { _id, ...rest } = document;
  return { _id, ...rest };
}

function translateUpdateError(error: unknown): never {
  if (error instanceof MongoCommandError) throw error;
  const message = error instanceof Error ? error.message : String(error);
  if (/immutable field '_id'/.test(message)) throw new MongoCommandError('ImmutableField', message);
  if (/conflict/.test(message)) throw new MongoCommandError('ConflictingUpdateOperators', message);
  throw new MongoCommandError('BadValue', message);
}

function assertIdUnchanged(before: Document, after: Document): void {
  if ('_id' in before && !sameValue(before._id, after._id)) {
    throw new MongoCommandError(
      'ImmutableField',
      `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${EJSON.stringify(after._id)}`,
    );
  }
}

function applyOperatorUpdate(
  document: Document,
  operators: Document,
  isInsert: boolean,
  arrayFilters: Document[] | undefined,
): Document {
  const { $setOnInsert, ...always } = operators;
  const result = cloneDocument(document);
  assertNumericArithmetic(result, always);
  try {
    if (Object.keys(always).length > 0) applyOperators(result, always, arrayFilters);
    if (isInsert && $setOnInsert !== undefined) applyOperators(result, { $set: $setOnInsert as Document });
  } catch (error) {
    translateUpdateError(error);
  }
  return result;
}

function applyPipelineUpdate(document: Document, pipeline: Document[]): Document {
  const [result] = runPipeline([document], pipeline, () => []);
  if (result === undefined) throw new MongoCommandError('BadValue', 'update pipeline produced no document');
  return result;
}

/**
 * The document that results from applying `update` to an existing `document`.
 * `_id` may not change.
 */
export function applyUpdate(document: Document, update: Document | Document[], arrayFilters?: Document[]): Document {
  const kind = classifyUpdate(update);
  let result: Document;
  if (kind === 'replacement') {
    result = { ...cloneDocument(update as Document) };
    if (!('_id' in result)) result._id = document._id;
  } else if (kind === 'pipeline') {
    result = applyPipelineUpdate(document, update as Document[]);
  } else {
    result = applyOperatorUpdate(document, update, false, arrayFilters);
  }
  assertIdUnchanged(document, result);
  return withIdFirst(result);
}

/**
 * The equality fields of a filter, which an upsert copies into the document it
 * inserts (`{ name: 'a', n: { $eq: 1 }, $and: [{ k: 2 }] }` gives name, n and k).
 */
export function equalityFieldsOf(filter: Document): Document {
  const fields: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value as Document[]) Object.assign(fields, equalityFieldsOf(clause));
    } else if (key === '$or' && Array.isArray(value) && value.length === 1) {
      Object.assign(fields, equalityFieldsOf(value[0] as Document));
    } else if (key.startsWith('$')) {
      continue;
    } else if (isOperatorObject(value)) {
      if ('$eq' in (value as Document)) fields[key] = (value as Document).$eq;
    } else {
      fields[key] = value;
    }
  }
  return fields;
}

function isOperatorObject(value: unknown): boolean {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    '_bsontype' in value ||
    value instanceof Date ||
    value instanceof RegExp
  ) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

/** The document an upsert inserts when its filter matched nothing. */
export function buildUpsertDocument(
  filter: Document,
  update: Document | Document[],
  arrayFilters?: Document[],
): Document {
  const kind = classifyUpdate(update);
  let result: Document;
  if (kind === 'replacement') {
    result = cloneDocument(update as Document);
    const fromFilter = equalityFieldsOf(filter);
    if (!('_id' in result) && '_id' in fromFilter) result._id = fromFilter._id;
  } else {
    const seed: Document = {};
    for (const [path, value] of Object.entries(equalityFieldsOf(filter))) setAtPath(seed, path, value);
    result =
      kind === 'pipeline'
        ? applyPipelineUpdate(seed, update as Document[])
        : applyOperatorUpdate(seed, update, true, arrayFilters);
    if ('_id' in seed) assertIdUnchanged(seed, result);
  }
  if (!('_id' in result)) result._id = new ObjectId();
  return withIdFirst(result);
}
