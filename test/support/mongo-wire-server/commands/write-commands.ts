/**
 * Writing: insert, update, delete and findAndModify.
 *
 * insert / update / delete follow mongod's batch rules: each statement succeeds or
 * fails on its own, failures are reported in `writeErrors` with `ok: 1`, and an
 * ordered batch stops at its first failure while an unordered one carries on.
 * findAndModify is a single statement, so its failure is the command's (`ok: 0`).
 */
import { serialize, type Document } from 'bson';
import type { CommandHandler } from '../command-router.js';
import type { CollectionStore } from '../collection-store.js';
import { applyUpdate, buildUpsertDocument, classifyUpdate } from '../document-update.js';
import { MongoCommandError, asMongoCommandError } from '../mongo-error.js';
import { findDocuments, projectDocuments } from '../query-engine.js';
import { checkedSort, optionalDocument, requiredArray, targetCollection } from './command-arguments.js';

interface BatchOutcome {
  readonly writeErrors: Document[];
}

/**
 * Runs each statement of a write batch, collecting write errors; stops at the first
 * error when the batch is ordered (the default).
 */
function runBatch<T>(
  command: Document,
  statements: T[],
  runStatement: (statement: T, index: number) => void,
): BatchOutcome {
  const ordered = command.ordered !== false;
  const writeErrors: Document[] = [];
  statements.forEach((statement, index) => {
    if (ordered && writeErrors.length > 0) return;
    try {
      runStatement(statement, index);
    } catch (error) {
      writeErrors.push(asMongoCommandError(error).toWriteError(index));
    }
  });
  return { writeErrors };
}

function withWriteErrors(reply: Document, outcome: BatchOutcome): Document {
  return outcome.writeErrors.length > 0 ? { ...reply, writeErrors: outcome.writeErrors, ok: 1 } : { ...reply, ok: 1 };
}

function sameBytes(left: Document, right: Document): boolean {
  return Buffer.compare(serialize(left), serialize(right)) === 0;
}

const insert: CommandHandler = (command, context) => {
  const store = context.catalog.obtain(context.database, targetCollection(command, context));
  const documents = requiredArray(command, 'documents');
  let inserted = 0;
  const outcome = runBatch(command, documents, (document) => {
    store.insert(document);
    inserted += 1;
  });
  return withWriteErrors({ n: inserted }, outcome);
};

/** Applies one update statement; returns how many documents it matched and changed, and any upserted _id. */
function runUpdateStatement(
  store: CollectionStore,
  statement: Document,
): { matched: number; modified: number; upsertedId?: unknown } {
  const filter = (statement.q ?? {}) as Document;
  const update = statement.u as Document | Document[];
  const arrayFilters = statement.arrayFilters as Document[] | undefined;
  const multi = statement.multi === true;
  const kind = classifyUpdate(update);
  if (multi && kind === 'replacement') {
    throw new MongoCommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const sort = checkedSort(statement.sort as Document | undefined);
  if (multi && sort !== undefined) throw new MongoCommandError('FailedToParse', 'Cannot specify sort with multi=true');

  const targets = findDocuments(store.candidatesFor(filter), { filter, sort, limit: multi ? 0 : 1 });
  if (targets.length === 0) {
    if (statement.upsert !== true) return { matched: 0, modified: 0 };
    const inserted = store.insert(buildUpsertDocument(filter, update, arrayFilters));
    return { matched: 0, modified: 0, upsertedId: inserted._id };
  }
  let modified = 0;
  for (const target of targets) {
    const next = applyUpdate(target, update, arrayFilters);
    if (sameBytes(target, next)) continue;
    store.replace(target, next);
    modified += 1;
  }
  return { matched: targets.length, modified };
}

const update: CommandHandler = (command, context) => {
  const store = context.catalog.obtain(context.database, targetCollection(command, context));
  const statements = requiredArray(command, 'updates');
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const outcome = runBatch(command, statements, (statement, index) => {
    const result = runUpdateStatement(store, statement);
    n += result.matched;
    nModified += result.modified;
    if (result.upsertedId !== undefined) {
      n += 1;
      upserted.push({ index, _id: result.upsertedId });
    }
  });
  return withWriteErrors({ n, nModified, ...(upserted.length > 0 ? { upserted } : {}) }, outcome);
};

const deleteCommand: CommandHandler = (command, context) => {
  const store = context.catalog.find(context.database, targetCollection(command, context));
  const statements = requiredArray(command, 'deletes');
  let n = 0;
  const outcome = runBatch(command, statements, (statement) => {
    if (statement.limit !== 0 && statement.limit !== 1) {
      throw new MongoCommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
    }
    if (store === undefined) return;
    const filter = (statement.q ?? {}) as Document;
    const targets = findDocuments(store.candidatesFor(filter), { filter, limit: statement.limit });
    for (const target of targets) store.remove(target);
    n += targets.length;
  });
  return withWriteErrors({ n }, outcome);
};

/**
 * findAndModify: find the first document by `query` and `sort`, then remove it or
 * update it (upserting if asked), and return it before or after (`new`) the change.
 */
const findAndModify: CommandHandler = (command, context) => {
  const collection = targetCollection(command, context);
  const remove = command.remove === true;
  const update = command.update as Document | Document[] | undefined;
  if (remove && update !== undefined)
    throw new MongoCommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && update === undefined)
    throw new MongoCommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && command.upsert === true)
    throw new MongoCommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');

  const filter = optionalDocument(command, 'query') ?? {};
  const fields = optionalDocument(command, 'fields');
  const arrayFilters = command.arrayFilters as Document[] | undefined;
  const returnNew = command.new === true;
  // Only an upsert may create the collection; a miss leaves the catalog as it was.
  const store =
    command.upsert === true
      ? context.catalog.obtain(context.database, collection)
      : context.catalog.find(context.database, collection);
  const [target] = findDocuments(store?.candidatesFor(filter) ?? [], {
    filter,
    sort: checkedSort(optionalDocument(command, 'sort')),
    limit: 1,
  });
  const reply = (value: Document | null, lastErrorObject: Document): Document => ({
    lastErrorObject,
    value: value === null ? null : (projectDocuments([value], fields)[0] ?? null),
    ok: 1,
  });

  if (remove) {
    if (store === undefined || target === undefined) return reply(null, { n: 0 });
    store.remove(target);
    return reply(target, { n: 1 });
  }
  const change = update as Document | Document[];
  if (store !== undefined && target !== undefined) {
    const next = applyUpdate(target, change, arrayFilters);
    if (!sameBytes(target, next)) store.replace(target, next);
    return reply(returnNew ? next : target, { n: 1, updatedExisting: true });
  }
  if (store === undefined || command.upsert !== true) return reply(null, { n: 0, updatedExisting: false });
  const inserted = store.insert(buildUpsertDocument(filter, change, arrayFilters));
  return reply(returnNew ? inserted : null, { n: 1, updatedExisting: false, upserted: inserted._id });
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
