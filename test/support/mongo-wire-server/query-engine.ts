/**
 * Filters, sorts, projections and aggregation pipelines, evaluated by mingo.
 *
 * mingo speaks MongoDB's query language over plain objects. This module is the only
 * place that talks to it, so its options (no server-side JavaScript, MongoDB sort
 * order) and the translation of its errors into MongoDB error codes live in one spot.
 */
import { deserialize, serialize, type Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { compare, resolve } from 'mingo/util';
import { MongoCommandError } from './mongo-error.js';

/** mongod runs no JavaScript by default in these tests; `$where` / `$function` are refused. */
const mingoOptions = { scriptEnabled: false } as const;

export interface FindShape {
  filter?: Document | undefined;
  sort?: Document | undefined;
  skip?: number | undefined;
  /** 0 or absent means no limit. */
  limit?: number | undefined;
  projection?: Document | undefined;
}

/** A deep copy that keeps every BSON type (ObjectId, Date, Long, Binary...) intact. */
export function cloneDocument<T extends Document>(document: T): T {
  return deserialize(serialize(document)) as T;
}

function translateMingoError(error: unknown): never {
  if (error instanceof MongoCommandError) throw error;
  const message = error instanceof Error ? error.message : String(error);
  const stage = /unregistered pipeline operator (\$\w+)/.exec(message);
  if (stage) {
    throw new MongoCommandError('UnrecognizedPipelineStage', `Unrecognized pipeline stage name: '${stage[1]}'`);
  }
  throw new MongoCommandError('BadValue', message);
}

/** Compiles a filter once so it can be tested against many documents. */
export function compileFilter(filter: Document | undefined): (document: Document) => boolean {
  if (filter === undefined || Object.keys(filter).length === 0) return () => true;
  try {
    const query = new Query(filter, mingoOptions);
    return (document) => query.test(document);
  } catch (error) {
    translateMingoError(error);
  }
}

/**
 * Runs a find: filter, then sort, skip, limit, and finally projection (the order
 * mongod applies them in). Returned documents may be the stored objects themselves
 * when there is no projection; callers must treat them as read-only.
 */
export function findDocuments(documents: readonly Document[], shape: FindShape): Document[] {
  try {
    const query = new Query(shape.filter ?? {}, mingoOptions);
    if (
      Math.abs(shape.limit ?? 0) === 1 &&
      !(shape.skip! > 0) &&
      shape.sort !== undefined &&
      Object.keys(shape.sort).length > 0
    ) {
      const first = firstInSortOrder(documents, (document) => query.test(document), shape.sort);
      if (first !== TIES_ON_ARRAYS) return first === undefined ? [] : projectDocuments([first], shape.projection);
    }
    let cursor = query.find<Document>(documents as Document[], shape.projection ?? {});
    if (shape.sort !== undefined && Object.keys(shape.sort).length > 0) cursor = cursor.sort(shape.sort);
    if (shape.skip !== undefined && shape.skip > 0) cursor = cursor.skip(shape.skip);
    if (shape.limit !== undefined && shape.limit !== 0) cursor = cursor.limit(Math.abs(shape.limit));
    return cursor.all();
  } catch (error) {
    translateMingoError(error);
  }
}

/** `firstInSortOrder` met an array under a sort key, whose order it leaves to mingo's sort. */
const TIES_ON_ARRAYS = Symbol('sort key holds an array');

/**
 * The first matching document in `sort` order, found in one pass: what a sort then
 * `limit: 1` returns (findAndModify, updateOne with a sort), the way mongod walks an
 * index to its first match instead of sorting every match. mingo's sort groups the
 * documents by a hash of each key's value, which for a unique key such as `_id` costs
 * far more than the query itself. Same order as mingo's: `compare` on each key's value,
 * ties kept in natural order.
 */
function firstInSortOrder(
  documents: readonly Document[],
  matches: (document: Document) => boolean,
  sort: Document,
): Document | undefined | typeof TIES_ON_ARRAYS {
  const keys = Object.entries(sort).map(([path, direction]) => ({
    path,
    sign: direction === -1 ? -1 : 1,
    topLevel: !path.includes('.'),
  }));
  let best: Document | undefined;
  /** The best document's sort values, resolved as far as a comparison has needed them. */
  let bestValues: unknown[] = [];
  for (const document of documents) {
    if (!matches(document)) continue;
    if (best === undefined) {
      best = document;
      bestValues = [];
      continue;
    }
    // Key by key, resolving only as far as ties go: most documents differ on the first.
    let order = 0;
    for (let index = 0; index < keys.length && order === 0; index += 1) {
      const key = keys[index]!;
      const value = sortValue(document, key);
      if (index >= bestValues.length) bestValues.push(sortValue(best, key));
      if (Array.isArray(value) || Array.isArray(bestValues[index])) return TIES_ON_ARRAYS;
      order = compare(value, bestValues[index]) * key.sign;
    }
    if (order < 0) {
      best = document;
      bestValues = [];
    }
  }
  return best;
}

/** A document's value for a sort key; missing sorts as null, as in mongod (and in mingo's sort, which groups both under null). */
function sortValue(document: Document, key: { path: string; topLevel: boolean }): unknown {
  return (key.topLevel ? document[key.path] : resolve(document, key.path)) ?? null;
}

/** Applies a find-style projection to documents already selected. */
export function projectDocuments(documents: Document[], projection: Document | undefined): Document[] {
  if (projection === undefined || Object.keys(projection).length === 0) return documents;
  return findDocuments(documents, { projection });
}

/**
 * Runs an aggregation pipeline. `resolveCollection` lets `$lookup` / `$unionWith`
 * read sibling collections of the same database.
 */
export function runPipeline(
  documents: readonly Document[],
  pipeline: Document[],
  resolveCollection: (name: string) => Document[],
): Document[] {
  try {
    // Copies, because pipeline stages may build their output from the input objects.
    const input = documents.map((document) => cloneDocument(document));
    const aggregator = new Aggregator(pipeline, {
      ...mingoOptions,
      collectionResolver: (name: string) => resolveCollection(name).map((document) => cloneDocument(document)),
    });
    return aggregator.run<Document>(input);
  } catch (error) {
    translateMingoError(error);
  }
}
