import {
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

/** MongoDB's codes for a refused login. */
const AUTHENTICATION_CODES = new Set([18 /* AuthenticationFailed */, 13 /* Unauthorized */]);

/**
 * True for driver errors that mean "MongoDB cannot be reached (or will not let us
 * in)" rather than "this operation was wrong": no server selectable within
 * serverSelectionTimeoutMS, a dropped or refused connection, a refused login.
 * These become `ProviderUnavailableError`; anything else is passed on as it is.
 */
export function isUnreachableError(error: unknown): boolean {
  if (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoServerClosedError
  ) {
    return true;
  }
  return error instanceof MongoServerError && typeof error.code === 'number' && AUTHENTICATION_CODES.has(error.code);
}

/** The client was closed under the operation: by our own close(), or by the owner of a shared Db. */
export function isClientClosedError(error: unknown): boolean {
  return error instanceof MongoClientClosedError || error instanceof MongoTopologyClosedError;
}

/** MongoDB's duplicate-key error: a unique index (here, jobId's) refused the write. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
