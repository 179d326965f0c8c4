/**
 * Every database and collection the server holds. Collections appear on first
 * write (as in mongod) or through `create`; reads of a missing collection see an
 * empty one without creating it.
 */
import type { Document } from 'bson';
import { MongoCommandError } from './mongo-error.js';
import { canonicalKey } from './collection-index.js';
import { CollectionStore } from './collection-store.js';

/** Characters mongod refuses in database names (on every platform). */
const INVALID_DATABASE_NAME = /[/\\. "$*<>:|?\0]/;

export function assertValidDatabaseName(name: string): void {
  if (name.length === 0 || name.length >= 64 || INVALID_DATABASE_NAME.test(name)) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: '${name}'`);
  }
}

export function assertValidCollectionName(database: string, name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new MongoCommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  if (name.length === 0 || name.includes('\0') || name.includes('$') || name.startsWith('.')) {
    throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${database}.${name}`);
  }
}

export class DatabaseCatalog {
  private readonly databases = new Map<string, Map<string, CollectionStore>>();

  /** The collection, or undefined when it does not exist. */
  find(database: string, collection: string): CollectionStore | undefined {
    return this.databases.get(database)?.get(collection);
  }

  /** The collection, created empty if needed (implicit creation on write). */
  obtain(database: string, collection: string, options: Document = {}): CollectionStore {
    assertValidDatabaseName(database);
    assertValidCollectionName(database, collection);
    let collections = this.databases.get(database);
    if (collections === undefined) {
      collections = new Map();
      this.databases.set(database, collections);
    }
    let store = collections.get(collection);
    if (store === undefined) {
      store = new CollectionStore(`${database}.${collection}`, options);
      collections.set(collection, store);
    }
    return store;
  }

  /**
   * Creates a collection explicitly. Like mongod 7.0+, asking again with identical
   * options succeeds and changes nothing; other options fail with NamespaceExists.
   */
  create(database: string, collection: string, options: Document = {}): CollectionStore {
    const existing = this.find(database, collection);
    if (existing !== undefined) {
      if (canonicalKey(existing.options) === canonicalKey(options)) return existing;
      throw new MongoCommandError(
        'NamespaceExists',
        `Collection ${database}.${collection} already exists with different options.`,
      );
    }
    return this.obtain(database, collection, options);
  }

  /** Drops a collection; returns it, or undefined when there was none. */
  drop(database: string, collection: string): CollectionStore | undefined {
    const collections = this.databases.get(database);
    const store = collections?.get(collection);
    if (collections === undefined || store === undefined) return undefined;
    collections.delete(collection);
    if (collections.size === 0) this.databases.delete(database);
    return store;
  }

  dropDatabase(database: string): void {
    this.databases.delete(database);
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(database: string): Array<[string, CollectionStore]> {
    return [...(this.databases.get(database) ?? new Map<string, CollectionStore>()).entries()];
  }
}
