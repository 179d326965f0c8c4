/**
 * Reading and checking the fields of a command document, with the errors mongod
 * gives for a missing or mistyped field (TypeMismatch / FailedToParse).
 */
import { Long, type Document } from 'bson';
import type { CommandContext } from '../command-router.js';
import { assertValidCollectionName } from '../database-catalog.js';
import { MongoCommandError } from '../mongo-error.js';

/** The collection a command names in its first field (`{ find: 'jobs' }` gives 'jobs'). */
export function targetCollection(command: Document, context: CommandContext): string {
  const name = Object.keys(command)[0] as string;
  const collection = command[name] as unknown;
  assertValidCollectionName(context.database, collection);
  return collection;
}

export function namespaceOf(context: CommandContext, collection: string): string {
  return `${context.database}.${collection}`;
}

export function optionalDocument(command: Document, field: string): Document | undefined {
  const value = command[field] as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${Array.isArray(value) ? 'array' : typeof value}', expected type 'object'`,
    );
  }
  return value;
}

export function requiredArray(command: Document, field: string): Document[] {
  const value = command[field] as unknown;
  if (value === undefined)
    throw new MongoCommandError('FailedToParse', `BSON field '${field}' is missing but a required field`);
  if (!Array.isArray(value)) {
    throw new MongoCommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof value}', expected type 'array'`,
    );
  }
  return value as Document[];
}

/** A numeric field as a JS number (int32, double, or int64 that fits). */
export function optionalNumber(command: Document, field: string): number | undefined {
  const value = command[field] as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  if (typeof value === 'bigint') return Number(value);
  throw new MongoCommandError(
    'TypeMismatch',
    `BSON field '${field}' is the wrong type '${typeof value}', expected a number`,
  );
}

/** A non-negative integer field such as skip or limit. */
export function optionalCount(command: Document, field: string): number | undefined {
  const value = optionalNumber(command, field);
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new MongoCommandError('BadValue', `${field} value must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** A cursor id as sent by getMore / killCursors (int64, promoted to a number on the way in). */
export function cursorIdOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (value instanceof Long) return value.toNumber();
  if (typeof value === 'bigint') return Number(value);
  throw new MongoCommandError('TypeMismatch', `cursor id must be a long, got ${typeof value}`);
}

/** A sort spec, checked: mongod accepts only 1 and -1 (drivers translate 'asc' / 'desc' before sending). */
export function checkedSort(sort: Document | undefined): Document | undefined {
  if (sort === undefined) return undefined;
  for (const [field, direction] of Object.entries(sort)) {
    if (direction !== 1 && direction !== -1)
      throw new MongoCommandError(
        'BadValue',
        `$sort key ordering must be 1 (for ascending) or -1 (for descending), got ${JSON.stringify(direction)} for '${field}'`,
      );
  }
  return sort;
}
