/**
 * Index management: createIndexes, listIndexes, dropIndexes.
 */
import type { Document } from 'bson';
import type { CommandHandler } from '../command-router.js';
import { MongoCommandError } from '../mongo-error.js';
import { namespaceOf, requiredArray, targetCollection } from './command-arguments.js';

/**
 * Creates every requested index or none: if one fails (a name clash, or a unique
 * index the data already violates), the ones created before it are dropped again.
 */
const createIndexes: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const specs = requiredArray(command, 'indexes');
  if (specs.length === 0) throw new MongoCommandError('BadValue', 'Must specify at least one index to create');
  const createdCollectionAutomatically = context.catalog.find(context.database, collection) === undefined;
  const store = context.catalog.obtain(context.database, collection);
  const numIndexesBefore = store.indexCount;
  const created: string[] = [];
  try {
    for (const spec of specs) {
      const result = store.createIndex(spec);
      if (result.created) created.push(result.name);
    }
  } catch (error) {
    for (const name of created) store.dropIndex(name);
    throw error;
  }
  return {
    numIndexesBefore,
    numIndexesAfter: store.indexCount,
    createdCollectionAutomatically,
    ...(created.length === 0 ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
};

const listIndexes: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const store = context.catalog.find(context.database, collection);
  if (store === undefined) {
    throw new MongoCommandError('NamespaceNotFound', `ns does not exist: ${namespaceOf(context, collection)}`);
  }
  const batchSize = (command.cursor as Document | undefined)?.batchSize;
  return { cursor: context.cursors.open(namespaceOf(context, collection), store.listIndexes(), batchSize), ok: 1 };
};

/** `index` may be a name, a key pattern, '*' (all but _id_), or an array of names. */
const dropIndexes: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const store = context.catalog.find(context.database, collection);
  if (store === undefined) {
    throw new MongoCommandError('NamespaceNotFound', `ns not found ${namespaceOf(context, collection)}`);
  }
  const nIndexesWas = store.indexCount;
  const target = command.index as unknown;
  if (target === '*') {
    store.dropAllIndexes();
  } else if (Array.isArray(target)) {
    // Check every name first so a bad name drops nothing.
    const known = new Set(store.listIndexes().map((index) => index.name as string));
    const missing = target.find((name) => !known.has(name as string));
    if (missing !== undefined)
      throw new MongoCommandError('IndexNotFound', `index not found with name [${String(missing)}]`);
    for (const name of target) store.dropIndex(name as string);
  } else if (typeof target === 'string' || (typeof target === 'object' && target !== null)) {
    store.dropIndex(target);
  } else {
    throw new MongoCommandError(
      'TypeMismatch',
      "BSON field 'dropIndexes.index' must be a string, an object or an array",
    );
  }
  return { nIndexesWas, ok: 1 };
};

export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
