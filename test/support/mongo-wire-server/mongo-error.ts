/**
 * Errors shaped the way mongod reports them, so the official driver turns them
 * into `MongoServerError` with the same `code` / `codeName` a real server gives.
 *
 * Handlers throw `MongoCommandError`; the command router turns it into the reply
 * document `{ ok: 0, errmsg, code, codeName }`. Write commands (insert / update /
 * delete) instead report per-statement failures in `writeErrors` with `ok: 1`, as
 * mongod does; `toWriteError` builds those entries.
 */
import type { Document } from 'bson';

/** The subset of mongod's error codes this server can produce (src/mongo/base/error_codes.yml). */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  AuthenticationFailed: 18,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
  UnrecognizedPipelineStage: 40324,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** mongod names codes without a symbolic name `Location<code>`. */
const codeNameByNumber = new Map<number, string>(
  Object.entries(ErrorCode).map(([name, code]) => [
    code,
    name === 'UnrecognizedPipelineStage' ? `Location${code}` : name,
  ]),
);

export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra fields mongod puts on this error (e.g. `keyPattern` / `keyValue` for 11000). */
  readonly details: Document;

  constructor(codeName: ErrorCodeName, errmsg: string, details: Document = {}) {
    super(errmsg);
    this.name = 'MongoCommandError';
    this.code = ErrorCode[codeName];
    this.codeName = codeNameByNumber.get(this.code) ?? codeName;
    this.details = details;
  }

  /** The failed-command reply: `{ ok: 0, errmsg, code, codeName, ...details }`. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.details };
  }

  /** One entry of a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.details };
  }
}

/** Anything thrown that is not already a MongoCommandError becomes one (mongod never answers without a code). */
export function asMongoCommandError(error: unknown, fallback: ErrorCodeName = 'BadValue'): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new MongoCommandError(fallback, message);
}
