/**
 * Databases and collections: create, drop, listCollections, dropDatabase,
 * listDatabases.
 */
import { calculateObjectSize, type Document } from 'bson';
import type { CommandHandler } from '../command-router.js';
import { ID_INDEX_NAME } from '../collection-index.js';
import { MongoCommandError } from '../mongo-error.js';
import { findDocuments } from '../query-engine.js';
import { namespaceOf, optionalDocument, targetCollection } from './command-arguments.js';

/** Fields of `create` that are about the command, not options of the new collection. */
const COMMAND_FIELDS = new Set([
  'create',
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'writeConcern',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
]);

const create: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const options = Object.fromEntries(Object.entries(command).filter(([field]) => !COMMAND_FIELDS.has(field)));
  context.catalog.create(context.database, collection, options);
  return { ok: 1 };
};

/** Dropping a collection that does not exist succeeds, as it does since MongoDB 7.0. */
const drop: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const namespace = namespaceOf(context, collection);
  const dropped = context.catalog.drop(context.database, collection);
  context.cursors.killWhere((cursorNamespace) => cursorNamespace === namespace);
  return dropped === undefined ? { ok: 1 } : { nIndexesWas: dropped.indexCount, ns: namespace, ok: 1 };
};

const listCollections: CommandHandler = (command, context) => {
  const nameOnly = command.nameOnly === true;
  const entries = context.catalog.collections(context.database).map(([name, store]): Document =>
    nameOnly
      ? { name, type: 'collection' }
      : {
          name,
          type: 'collection',
          options: { ...store.options },
          info: { readOnly: false, uuid: store.uuid },
          idIndex: { v: 2, key: { _id: 1 }, name: ID_INDEX_NAME },
        },
  );
  const matching = findDocuments(entries, { filter: optionalDocument(command, 'filter') });
  const batchSize = (command.cursor as Document | undefined)?.batchSize;
  return { cursor: context.cursors.open(`${context.database}.$cmd.listCollections`, matching, batchSize), ok: 1 };
};

const dropDatabase: CommandHandler = (_command, context) => {
  context.catalog.dropDatabase(context.database);
  context.cursors.killWhere((namespace) => namespace.startsWith(`${context.database}.`));
  return { dropped: context.database, ok: 1 };
};

const listDatabases: CommandHandler = (command, context) => {
  if (context.database !== 'admin') {
    throw new MongoCommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  }
  const databases = context.catalog.databaseNames().map((name): Document => {
    const sizeOnDisk = context.catalog
      .collections(name)
      .reduce(
        (total, [, store]) => total + store.all().reduce((sum, document) => sum + calculateObjectSize(document), 0),
        0,
      );
    return command.nameOnly === true ? { name } : { name, sizeOnDisk, empty: sizeOnDisk === 0 };
  });
  const matching = findDocuments(databases, { filter: optionalDocument(command, 'filter') });
  if (command.nameOnly === true) return { databases: matching, ok: 1 };
  const totalSize = matching.reduce((sum, database) => sum + (database.sizeOnDisk as number), 0);
  return { databases: matching, totalSize, totalSizeMb: Math.floor(totalSize / (1024 * 1024)), ok: 1 };
};

export const catalogCommands: Record<string, CommandHandler> = {
  create,
  drop,
  listCollections,
  dropDatabase,
  listDatabases,
};
