/**
 * Turns one command document into one reply document.
 *
 * Handlers are synchronous on purpose: Node runs one of them at a time from start
 * to finish, so every command is atomic with respect to every other (a
 * findAndModify's find and its write cannot interleave with another client's).
 * Nothing a handler does may await.
 *
 * The router never throws: a handler's MongoCommandError becomes `{ ok: 0, errmsg,
 * code, codeName }`, an unknown command becomes CommandNotFound (59), and any other
 * exception becomes InternalError, so a client always gets an answer, never a hang.
 */
import type { Document } from 'bson';
import type { CursorRegistry } from './cursor-registry.js';
import type { DatabaseCatalog } from './database-catalog.js';
import { MongoCommandError } from './mongo-error.js';

export interface CommandContext {
  /** The command's `$db` (or the database of an OP_QUERY's `db.$cmd`). */
  readonly database: string;
  readonly catalog: DatabaseCatalog;
  readonly cursors: CursorRegistry;
  /** Server-wide connection number, reported by hello as `connectionId`. */
  readonly connectionId: number;
  /** `host:port` of the client, for whatsmyuri. */
  readonly clientAddress: string;
  readonly startedAt: Date;
}

export type CommandHandler = (command: Document, context: CommandContext) => Document;

/** Fields that only make sense inside a transaction, which a standalone mongod refuses. */
const TRANSACTION_FIELDS = ['txnNumber', 'autocommit', 'startTransaction'];

export class CommandRouter {
  private readonly handlers: ReadonlyMap<string, CommandHandler>;

  constructor(...families: Array<Record<string, CommandHandler>>) {
    this.handlers = new Map(families.flatMap((family) => Object.entries(family)));
  }

  /** The command names this router serves. */
  get commandNames(): string[] {
    return [...this.handlers.keys()];
  }

  execute(command: Document, context: CommandContext): Document {
    const name = Object.keys(command)[0];
    try {
      if (name === undefined) throw new MongoCommandError('FailedToParse', 'Empty command object');
      const handler = this.handlers.get(name);
      if (handler === undefined) throw new MongoCommandError('CommandNotFound', `no such command: '${name}'`);
      if (TRANSACTION_FIELDS.some((field) => field in command)) {
        throw new MongoCommandError(
          'IllegalOperation',
          'Transaction numbers are only allowed on a replica set member or mongos',
        );
      }
      return handler(command, context);
    } catch (error) {
      if (error instanceof MongoCommandError) return error.toReply();
      const message = error instanceof Error ? error.message : String(error);
      return new MongoCommandError('InternalError', `${String(name)} failed: ${message}`).toReply();
    }
  }
}
