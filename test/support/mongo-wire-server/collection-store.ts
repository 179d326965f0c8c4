/**
 * The documents of one collection and its indexes.
 *
 * Documents are kept in insertion order (mongod's "natural" order for a fresh
 * collection) in a Map keyed by the canonical form of `_id`. Stored documents are
 * never mutated: an update builds a new document, checks every unique index, and
 * only then swaps it in, so a failed write leaves nothing half-done.
 */
import { ObjectId, UUID, type Document } from 'bson';
import { CollectionIndex, ID_INDEX_NAME, canonicalKey, defaultIndexName } from './collection-index.js';
import { MongoCommandError } from './mongo-error.js';

export class CollectionStore {
  readonly uuid = new UUID();
  private readonly documents = new Map<string, Document>();
  private readonly indexes = new Map<string, CollectionIndex>();
  /** For each unique index: index key -> the document holding it. */
  private readonly uniqueEntries = new Map<string, Map<string, Document>>();

  /**
   * @param namespace `database.collection`, used in error messages.
   * @param options what `create` was given (capped, validator...), echoed by
   *   listCollections; only stored, not enforced.
   */
  constructor(
    readonly namespace: string,
    readonly options: Readonly<Document> = {},
  ) {
    this.addIndex(new CollectionIndex({ key: { _id: 1 }, name: ID_INDEX_NAME }));
  }

  get size(): number {
    return this.documents.size;
  }

  /** Every document in natural order. Read-only: callers must not mutate them. */
  all(): Document[] {
    return [...this.documents.values()];
  }

  /**
   * The documents that may match `filter`, in natural order: a superset that the
   * query engine then filters. When the filter pins `_id` or a field with a unique,
   * single-field index holding every document with those values to a string or
   * ObjectId (`{ jobId: 'x' }`, `{ _id: { $in: [...] } }`), that index answers it
   * instead of a scan, the way mongod's IXSCAN would; anything else gets every
   * document. Only those value types take the fast path because their canonical form
   * is the same however the client encoded them.
   */
  candidatesFor(filter: Document | undefined): Document[] {
    for (const [field, condition] of Object.entries(filter ?? {})) {
      const values = indexableValues(condition);
      if (values !== undefined && field === '_id') {
        // The _id index is unique, and the documents are keyed by it.
        const hits = values
          .map((value) => this.documents.get(canonicalKey(value)))
          .filter((document) => document !== undefined);
        return hits.length <= 1 ? hits : this.all().filter((document) => hits.includes(document));
      }
      const entries = values === undefined ? undefined : this.uniqueEntriesFor(field, values);
      if (values === undefined || entries === undefined) continue;
      const hits = new Set<Document>();
      for (const value of values) {
        const holder = entries.get(canonicalKey([value]));
        if (holder !== undefined) hits.add(holder);
      }
      if (hits.size <= 1) return [...hits];
      return this.all().filter((document) => hits.has(document));
    }
    return this.all();
  }

  /** Stores a new document; generates `_id` when absent and puts it first, as mongod does. */
  insert(document: Document): Document {
    let stored = document;
    if (stored._id === undefined) {
      stored = { _id: new ObjectId(), ...stored };
    } else if (Object.keys(stored)[0] !== '_id') {
      const { _id, ...rest } = stored;
      stored = { _id, ...rest };
    }
    if (Array.isArray(stored._id)) {
      throw new MongoCommandError('BadValue', "can't use an array for _id");
    }
    this.assertUnique(stored, undefined);
    this.documents.set(canonicalKey(stored._id), stored);
    this.addIndexEntries(stored);
    return stored;
  }

  /** Swaps `current` for `next` (same `_id`), keeping its position in natural order. */
  replace(current: Document, next: Document): void {
    this.assertUnique(next, current);
    this.removeIndexEntries(current);
    this.documents.set(canonicalKey(current._id), next);
    this.addIndexEntries(next);
  }

  remove(document: Document): void {
    this.removeIndexEntries(document);
    this.documents.delete(canonicalKey(document._id));
  }

  listIndexes(): Document[] {
    return [...this.indexes.values()].map((index) => ({ ...index.spec }));
  }

  get indexCount(): number {
    return this.indexes.size;
  }

  /**
   * Creates an index, or does nothing when an identical one exists. Like mongod it
   * refuses a second index on the same key under another name, a different index
   * under an existing name, and a unique index the current documents already violate.
   */
  createIndex(spec: Document): { name: string; created: boolean } {
    const requested = { ...spec, name: spec.name ?? defaultIndexName((spec.key ?? {}) as Document) };
    const index = new CollectionIndex(requested);
    const sameName = this.indexes.get(index.name);
    if (sameName !== undefined) {
      if (sameName.sameDefinitionAs(index.spec)) return { name: index.name, created: false };
      throw new MongoCommandError(
        canonicalKey(sameName.key) === canonicalKey(index.key) ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(index.spec)}, existing index: ${JSON.stringify(sameName.spec)}`,
      );
    }
    for (const existing of this.indexes.values()) {
      if (canonicalKey(existing.key) !== canonicalKey(index.key)) continue;
      throw new MongoCommandError(
        'IndexOptionsConflict',
        `Index already exists with a different name: ${existing.name}`,
      );
    }
    if (index.unique) {
      const entries = new Map<string, Document>();
      for (const document of this.documents.values()) {
        for (const key of index.keysOf(document)) {
          const holder = entries.get(key);
          if (holder !== undefined && holder !== document) throw index.duplicateKeyError(this.namespace, document);
          entries.set(key, document);
        }
      }
    }
    this.addIndex(index);
    return { name: index.name, created: true };
  }

  /** Drops one index by name or key pattern; `_id_` cannot be dropped. */
  dropIndex(nameOrKey: string | Document): void {
    const index =
      typeof nameOrKey === 'string'
        ? this.indexes.get(nameOrKey)
        : [...this.indexes.values()].find((candidate) => canonicalKey(candidate.key) === canonicalKey(nameOrKey));
    if (index === undefined) {
      const shown = typeof nameOrKey === 'string' ? nameOrKey : JSON.stringify(nameOrKey);
      throw new MongoCommandError(
        'IndexNotFound',
        typeof nameOrKey === 'string' ? `index not found with name [${shown}]` : `can't find index with key: ${shown}`,
      );
    }
    if (index.name === ID_INDEX_NAME) throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
    this.indexes.delete(index.name);
    this.uniqueEntries.delete(index.name);
  }

  /** Drops every index except `_id_` (what `dropIndexes: '*'` does). */
  dropAllIndexes(): void {
    for (const name of [...this.indexes.keys()]) {
      if (name !== ID_INDEX_NAME) this.dropIndex(name);
    }
  }

  /** The key map of a unique index on exactly `field` that holds every document with one of `values`, if there is one. */
  private uniqueEntriesFor(field: string, values: readonly unknown[]): Map<string, Document> | undefined {
    for (const [name, entries] of this.uniqueEntries) {
      const index = this.indexes.get(name) as CollectionIndex;
      if (values.every((value) => index.holdsEveryDocumentWith(field, value))) return entries;
    }
    return undefined;
  }

  private addIndex(index: CollectionIndex): void {
    this.indexes.set(index.name, index);
    if (!index.unique) return;
    const entries = new Map<string, Document>();
    for (const document of this.documents.values()) {
      for (const key of index.keysOf(document)) entries.set(key, document);
    }
    this.uniqueEntries.set(index.name, entries);
  }

  /** Throws E11000 when `document` would take a unique key held by a document other than `replacing`. */
  private assertUnique(document: Document, replacing: Document | undefined): void {
    for (const [name, entries] of this.uniqueEntries) {
      const index = this.indexes.get(name) as CollectionIndex;
      for (const key of index.keysOf(document)) {
        const holder = entries.get(key);
        if (holder !== undefined && holder !== replacing) throw index.duplicateKeyError(this.namespace, document);
      }
    }
  }

  private addIndexEntries(document: Document): void {
    for (const [name, entries] of this.uniqueEntries) {
      for (const key of (this.indexes.get(name) as CollectionIndex).keysOf(document)) entries.set(key, document);
    }
  }

  private removeIndexEntries(document: Document): void {
    for (const [name, entries] of this.uniqueEntries) {
      for (const key of (this.indexes.get(name) as CollectionIndex).keysOf(document)) {
        if (entries.get(key) === document) entries.delete(key);
      }
    }
  }
}

/** The values an equality or `$in` condition pins a field to, when all are strings or ObjectIds. */
function indexableValues(condition: unknown): unknown[] | undefined {
  const indexable = (value: unknown) => typeof value === 'string' || value instanceof ObjectId;
  if (indexable(condition)) return [condition];
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const operators = Object.keys(condition);
  if (operators.length !== 1) return undefined;
  const { $eq, $in } = condition as { $eq?: unknown; $in?: unknown };
  if (indexable($eq)) return [$eq];
  if (Array.isArray($in) && $in.every(indexable)) return $in;
  return undefined;
}
