/**
 * Reading: find, getMore, killCursors, count, distinct and aggregate.
 *
 * A missing collection reads as an empty one (as in mongod). Results are computed
 * in full when the command runs and handed out in batches by the cursor registry.
 */
import { Long, type Document } from 'bson';
import type { CommandContext, CommandHandler } from '../command-router.js';
import { canonicalKey } from '../collection-index.js';
import { MongoCommandError } from '../mongo-error.js';
import { compileFilter, findDocuments, runPipeline } from '../query-engine.js';
import {
  checkedSort,
  cursorIdOf,
  namespaceOf,
  optionalCount,
  optionalDocument,
  optionalNumber,
  requiredArray,
  targetCollection,
} from './command-arguments.js';

function documentsOf(context: CommandContext, collection: string, filter?: Document): Document[] {
  return context.catalog.find(context.database, collection)?.candidatesFor(filter) ?? [];
}

const find: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  if (command.tailable === true) {
    throw new MongoCommandError(
      'BadValue',
      'error processing query: tailable cursor requested on non capped collection',
    );
  }
  const limit = optionalNumber(command, 'limit') ?? 0;
  if (limit < 0)
    throw new MongoCommandError('BadValue', 'LIMIT must be non-negative (drivers send singleBatch instead)');
  const filter = optionalDocument(command, 'filter');
  const results = findDocuments(documentsOf(context, collection, filter), {
    filter,
    sort: checkedSort(optionalDocument(command, 'sort')),
    skip: optionalCount(command, 'skip'),
    limit,
    projection: optionalDocument(command, 'projection'),
  });
  const cursor = context.cursors.open(namespaceOf(context, collection), results, command.batchSize);
  if (command.singleBatch === true && !cursor.id.isZero()) {
    // singleBatch: hand out the first batch and close the cursor at once.
    context.cursors.kill(cursor.ns, [cursor.id.toNumber()]);
    return { cursor: { ...cursor, id: Long.ZERO }, ok: 1 };
  }
  return { cursor, ok: 1 };
};

const getMore: CommandHandler = (command, context) => {
  const id = cursorIdOf(command.getMore);
  if (typeof command.collection !== 'string') {
    throw new MongoCommandError('TypeMismatch', "BSON field 'getMore.collection' is missing or not a string");
  }
  const cursor = context.cursors.getMore(id, namespaceOf(context, command.collection), command.batchSize);
  return { cursor, ok: 1 };
};

const killCursors: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const ids = requiredArray(command, 'cursors').map((id) => cursorIdOf(id));
  const { killed, notFound } = context.cursors.kill(namespaceOf(context, collection), ids);
  return {
    cursorsKilled: killed.map((id) => Long.fromNumber(id)),
    cursorsNotFound: notFound.map((id) => Long.fromNumber(id)),
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
};

const count: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const filter = optionalDocument(command, 'query');
  const matches = findDocuments(documentsOf(context, collection, filter), {
    filter,
    skip: optionalCount(command, 'skip'),
    limit: optionalNumber(command, 'limit'),
  });
  return { n: matches.length, ok: 1 };
};

/** Values a dotted path reaches, with arrays along the way and at the end unwound (distinct's rule). */
function distinctValuesAt(value: unknown, parts: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => distinctValuesAt(element, parts));
  if (parts.length === 0) return value === undefined ? [] : [value];
  if (value === null || typeof value !== 'object') return [];
  const [head, ...rest] = parts as [string, ...string[]];
  return distinctValuesAt((value as Document)[head], rest);
}

const distinct: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  if (typeof command.key !== 'string' || command.key.length === 0) {
    throw new MongoCommandError('FailedToParse', "BSON field 'distinct.key' is missing or not a string");
  }
  const parts = command.key.split('.');
  const matcher = compileFilter(optionalDocument(command, 'query'));
  const values = new Map<string, unknown>();
  for (const document of documentsOf(context, collection)) {
    if (!matcher(document)) continue;
    for (const value of distinctValuesAt(document, parts)) values.set(canonicalKey(value), value);
  }
  return { values: [...values.values()], ok: 1 };
};

/** Stages that write elsewhere; this server's pipelines only read. */
const WRITING_STAGES = ['$out', '$merge'];

const aggregate: CommandHandler = (command, context) => {
  const pipeline = requiredArray(command, 'pipeline');
  if (command.explain === true)
    throw new MongoCommandError('IllegalOperation', 'explain is not supported by the MongoDB wire test server');
  const cursorOptions = optionalDocument(command, 'cursor');
  if (cursorOptions === undefined) {
    throw new MongoCommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  for (const stage of pipeline) {
    const stageName = Object.keys(stage)[0];
    if (stageName !== undefined && WRITING_STAGES.includes(stageName)) {
      throw new MongoCommandError('IllegalOperation', `${stageName} is not supported by the MongoDB wire test server`);
    }
  }
  // `aggregate: 1` runs a collectionless pipeline (e.g. starting with $documents).
  const collectionless = command.aggregate === 1;
  const collection = collectionless ? '$cmd.aggregate' : targetCollection(command, context);
  const source = collectionless ? [] : documentsOf(context, collection);
  const results = runPipeline(source, pipeline, (name) => documentsOf(context, name));
  const cursor = context.cursors.open(namespaceOf(context, collection), results, cursorOptions.batchSize);
  return { cursor, ok: 1 };
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
};
