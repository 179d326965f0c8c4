/**
 * One client's TCP connection: bytes in, framed messages, commands run, replies out.
 *
 * Each message is handled to completion before the next is read from the buffer,
 * and handlers never await, so replies go out in request order and commands from
 * all connections are serialised by Node's single thread.
 */
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import type { CommandContext, CommandRouter } from './command-router.js';
import type { CursorRegistry } from './cursor-registry.js';
import type { DatabaseCatalog } from './database-catalog.js';
import { MongoCommandError } from './mongo-error.js';
import {
  MessageFramer,
  OpCode,
  encodeOpMsgReply,
  encodeOpReply,
  parseRequest,
  type OpMsgRequest,
  type OpQueryRequest,
} from './wire-protocol.js';

/** The only commands mongod (5.1+) still accepts over legacy OP_QUERY: the first handshake. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

export interface ServerState {
  readonly catalog: DatabaseCatalog;
  readonly cursors: CursorRegistry;
  readonly router: CommandRouter;
  readonly startedAt: Date;
  /** Next id for a message this server sends. */
  nextRequestId(): number;
}

export class ClientConnection {
  private readonly framer = new MessageFramer();

  constructor(
    private readonly socket: Socket,
    private readonly connectionId: number,
    private readonly state: ServerState,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A client vanishing mid-write (ECONNRESET, EPIPE) is routine; just let the socket go.
    socket.on('error', () => socket.destroy());
  }

  private get clientAddress(): string {
    return `${this.socket.remoteAddress ?? 'unknown'}:${this.socket.remotePort ?? 0}`;
  }

  private receive(chunk: Buffer): void {
    try {
      for (const message of this.framer.push(chunk)) {
        if (this.socket.destroyed) return;
        const request = parseRequest(message);
        if (request.opCode === OpCode.Msg) this.answerOpMsg(request);
        else this.answerOpQuery(request);
      }
    } catch {
      // Malformed bytes: there is no way to resynchronise the stream, so hang up like mongod.
      this.socket.destroy();
    }
  }

  private context(database: string): CommandContext {
    return {
      database,
      catalog: this.state.catalog,
      cursors: this.state.cursors,
      connectionId: this.connectionId,
      clientAddress: this.clientAddress,
      startedAt: this.state.startedAt,
    };
  }

  private answerOpMsg(request: OpMsgRequest): void {
    const database = request.command.$db;
    const reply =
      typeof database === 'string'
        ? this.state.router.execute(request.command, this.context(database))
        : new MongoCommandError('FailedToParse', 'OP_MSG requests require a $db argument').toReply();
    // moreToCome from a client means "do not answer" (unacknowledged writes).
    if (request.moreToCome) return;
    this.socket.write(encodeOpMsgReply(this.state.nextRequestId(), request.requestId, reply));
  }

  private answerOpQuery(request: OpQueryRequest): void {
    // Drivers may wrap the command as { $query: command, $readPreference: ... }.
    const command = (request.query.$query ?? request.query) as Document;
    const name = Object.keys(command)[0] ?? '';
    const [database, collection] = splitNamespace(request.fullCollectionName);
    let reply: Document;
    if (collection === '$cmd' && OP_QUERY_COMMANDS.has(name)) {
      reply = this.state.router.execute(command, this.context(database));
    } else {
      reply = new MongoCommandError(
        'UnsupportedOpQueryCommand',
        `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`,
      ).toReply();
    }
    this.socket.write(encodeOpReply(this.state.nextRequestId(), request.requestId, reply));
  }
}

function splitNamespace(namespace: string): [string, string] {
  const dot = namespace.indexOf('.');
  return dot < 0 ? [namespace, ''] : [namespace.slice(0, dot), namespace.slice(dot + 1)];
}
