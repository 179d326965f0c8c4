/**
 * One index of a collection: its spec as `listIndexes` shows it, and the keys a
 * document produces in it, which is what unique indexes compare.
 *
 * Indexes exist so that unique constraints hold and index management commands
 * behave like mongod's. The only speed-up is an equality lookup on a unique
 * single-field index that holds every document with the value looked up
 * (`holdsEveryDocumentWith`, used by CollectionStore.candidatesFor); every other query scans.
 */
import { EJSON, type Document } from 'bson';
import { MongoCommandError } from './mongo-error.js';
import { compileFilter } from './query-engine.js';

export const ID_INDEX_NAME = '_id_';

/** Index options that make two specs with the same key pattern different indexes. */
const OPTIONS_THAT_MATTER = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation'] as const;

/** mongod's default index name: `{ a: 1, 'b.c': -1 }` becomes `a_1_b.c_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}

/** Canonical text of a value, so equal BSON values compare equal as strings. */
export function canonicalKey(value: unknown): string {
  return EJSON.stringify({ v: value }, { relaxed: false });
}

/** `{ name: "x", n: 1 }`, mongod's rendering of a key in E11000 messages. */
function renderKeyValue(keyValue: Document): string {
  const fields = Object.entries(keyValue).map(
    ([field, value]) => `${field}: ${EJSON.stringify(value ?? null, { relaxed: true })}`,
  );
  return `{ ${fields.join(', ')} }`;
}

/**
 * The values a dotted path reaches in a document, fanning out through arrays the way
 * a multikey index does. A missing field indexes as null.
 */
function valuesAtPath(value: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap((element) => valuesAtPath(element, parts));
  if (value === null || typeof value !== 'object') return [null];
  const [head, ...rest] = parts as [string, ...string[]];
  const child = (value as Document)[head];
  return child === undefined ? [null] : valuesAtPath(child, rest);
}

export class CollectionIndex {
  readonly spec: Readonly<Document>;
  private readonly fields: ReadonlyArray<readonly [string, readonly string[]]>;
  private readonly partialFilter: ((document: Document) => boolean) | undefined;
  /** The one field a partial filter speaks of, when it speaks of one field only. */
  private readonly partialFilterField: string | undefined;

  constructor(spec: Document) {
    const key = spec.key as Document | undefined;
    if (key === null || typeof key !== 'object' || Object.keys(key).length === 0) {
      throw new MongoCommandError('FailedToParse', "The 'key' field must be a non-empty object");
    }
    if (typeof spec.name !== 'string' || spec.name.length === 0) {
      throw new MongoCommandError('FailedToParse', "The 'name' field must be a non-empty string");
    }
    // listIndexes shows v, key and name first, as mongod does.
    this.spec = { v: 2, key, name: spec.name, ...spec };
    this.fields = Object.keys(key).map((field) => [field, field.split('.')] as const);
    this.partialFilter =
      spec.partialFilterExpression === undefined ? undefined : compileFilter(spec.partialFilterExpression as Document);
    const filterFields = Object.keys((spec.partialFilterExpression ?? {}) as Document);
    this.partialFilterField = filterFields.length === 1 ? filterFields[0] : undefined;
  }

  get name(): string {
    return this.spec.name as string;
  }

  get key(): Document {
    return this.spec.key as Document;
  }

  get unique(): boolean {
    return this.spec.unique === true || this.name === ID_INDEX_NAME;
  }

  /**
   * True when this is a unique index on exactly `field` and every document whose
   * `field` equals `value` (a string or ObjectId) is in it: a sparse index holds every
   * such document, and so does a partial one whose filter speaks of `field` alone and
   * matches `{ field: value }` (Agenda's `{ jobId: { $type: 'string' } }` and a string
   * jobId), which is when mongod answers the equality from the index too.
   */
  holdsEveryDocumentWith(field: string, value: unknown): boolean {
    if (!this.unique || this.fields.length !== 1 || this.fields[0]![0] !== field) return false;
    if (this.spec.collation !== undefined) return false;
    if (this.partialFilter === undefined) return true;
    return this.partialFilterField === field && this.partialFilter({ [field]: value });
  }

  /** True when `other` describes the same index (same key pattern and options that change behaviour). */
  sameDefinitionAs(other: Document): boolean {
    if (canonicalKey(this.key) !== canonicalKey(other.key)) return false;
    return OPTIONS_THAT_MATTER.every(
      (option) => canonicalKey(this.spec[option] ?? null) === canonicalKey(other[option] ?? null),
    );
  }

  /**
   * The index keys `document` produces, as canonical strings: one per combination of
   * array elements. None when a sparse index misses every field or a partial index's
   * filter does not match, because such documents are not in the index at all.
   */
  keysOf(document: Document): string[] {
    if (this.partialFilter !== undefined && !this.partialFilter(document)) return [];
    const perField = this.fields.map(([, parts]) => valuesAtPath(document, parts));
    if (
      this.spec.sparse === true &&
      perField.every((values) => values.every((value) => value === null || value === undefined))
    ) {
      return [];
    }
    let combinations: unknown[][] = [[]];
    for (const values of perField) {
      combinations = combinations.flatMap((prefix) => values.map((value) => [...prefix, value ?? null]));
    }
    return [...new Set(combinations.map((combination) => canonicalKey(combination)))];
  }

  /** The E11000 error mongod raises when `document` collides with another in this index. */
  duplicateKeyError(namespace: string, document: Document): MongoCommandError {
    const keyValue: Document = {};
    for (const [field, parts] of this.fields) keyValue[field] = valuesAtPath(document, parts)[0] ?? null;
    return new MongoCommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${namespace} index: ${this.name} dup key: ${renderKeyValue(keyValue)}`,
      { keyPattern: this.key, keyValue },
    );
  }
}
