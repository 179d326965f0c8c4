/**
 * The MongoDB wire protocol, as far as a test server needs it:
 *
 *   every message:  int32 messageLength | int32 requestID | int32 responseTo | int32 opCode | body
 *
 *   OP_MSG (2013):  uint32 flagBits | section+ | [uint32 checksum]
 *                     section kind 0: one BSON document (the command body)
 *                     section kind 1: int32 size | cstring identifier | BSON document*
 *                                     (a "document sequence", e.g. insert's `documents`)
 *   OP_QUERY (2004): legacy; drivers still send their first `isMaster` this way
 *                    int32 flags | cstring fullCollectionName | int32 skip | int32 return | query doc
 *   OP_REPLY (1):    the answer to OP_QUERY
 *                    int32 responseFlags | int64 cursorID | int32 startingFrom | int32 numberReturned | doc*
 *
 * Spec: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */
import { deserialize, serialize, type Document } from 'bson';

export const OpCode = {
  Reply: 1,
  Query: 2004,
  Compressed: 2012,
  Msg: 2013,
} as const;

const HEADER_BYTES = 16;
/** mongod's maxMessageSizeBytes; anything larger (or negative) means a corrupt stream. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const OP_MSG_CHECKSUM_PRESENT = 1 << 0;
const OP_MSG_MORE_TO_COME = 1 << 1;
/**
 * Bits 0-15 are "required": a receiver must reject flags it does not know there. Bit
 * 16, exhaustAllowed, is optional, and this server ignores it.
 */
const OP_MSG_KNOWN_REQUIRED_BITS = OP_MSG_CHECKSUM_PRESENT | OP_MSG_MORE_TO_COME;

/** Raised when bytes on the socket are not a valid message; the connection is then closed. */
export class WireProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireProtocolError';
  }
}

export interface OpMsgRequest {
  readonly opCode: typeof OpCode.Msg;
  readonly requestId: number;
  /** The kind-0 body with every kind-1 document sequence folded in as an array field. */
  readonly command: Document;
  /** The client expects no reply (unacknowledged write, `w: 0`). */
  readonly moreToCome: boolean;
}

export interface OpQueryRequest {
  readonly opCode: typeof OpCode.Query;
  readonly requestId: number;
  readonly fullCollectionName: string;
  readonly query: Document;
}

export type WireRequest = OpMsgRequest | OpQueryRequest;

/**
 * Splits a TCP byte stream into whole messages. TCP delivers arbitrary chunks, so a
 * message may arrive in pieces or several may arrive together.
 */
export class MessageFramer {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds a chunk and returns every message it completed (each a full buffer, header included). */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readInt32LE(0);
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
        throw new WireProtocolError(`invalid message length ${length}`);
      }
      if (this.buffered.length < length) break;
      messages.push(this.buffered.subarray(0, length));
      this.buffered = this.buffered.subarray(length);
    }
    return messages;
  }
}

/** Reads a NUL-terminated string starting at `offset`; returns it and the offset after the NUL. */
function readCString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new WireProtocolError('unterminated cstring');
  return [buffer.toString('utf8', offset, end), end + 1];
}

/** Reads one BSON document at `offset`; returns it and the offset after it. */
function readDocument(buffer: Buffer, offset: number, limit: number): [Document, number] {
  if (offset + 5 > limit) throw new WireProtocolError('truncated BSON document');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new WireProtocolError(`invalid BSON document size ${size}`);
  return [deserialize(buffer.subarray(offset, offset + size)), offset + size];
}

/** Decodes one complete message produced by `MessageFramer`. */
export function parseRequest(message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OpCode.Msg) return parseOpMsg(message, requestId);
  if (opCode === OpCode.Query) return parseOpQuery(message, requestId);
  // OP_COMPRESSED is never used because the handshake advertises no compressors.
  throw new WireProtocolError(`unsupported opCode ${opCode}`);
}

function parseOpMsg(message: Buffer, requestId: number): OpMsgRequest {
  const flags = message.readUInt32LE(HEADER_BYTES);
  const unknownRequired = flags & 0xffff & ~OP_MSG_KNOWN_REQUIRED_BITS;
  if (unknownRequired !== 0) throw new WireProtocolError(`unknown required OP_MSG flag bits ${unknownRequired}`);
  const end = message.length - (flags & OP_MSG_CHECKSUM_PRESENT ? 4 : 0);

  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  let offset = HEADER_BYTES + 4;
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    if (kind === 0) {
      if (body !== undefined) throw new WireProtocolError('OP_MSG has more than one kind-0 section');
      [body, offset] = readDocument(message, offset, end);
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new WireProtocolError(`invalid document sequence size ${size}`);
      let [identifier, cursor] = readCString(message, offset + 4);
      const documents: Document[] = [];
      while (cursor < sectionEnd) {
        let document: Document;
        [document, cursor] = readDocument(message, cursor, sectionEnd);
        documents.push(document);
      }
      sequences.push([identifier, documents]);
      offset = sectionEnd;
    } else {
      throw new WireProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (body === undefined) throw new WireProtocolError('OP_MSG has no kind-0 section');
  for (const [identifier, documents] of sequences) {
    if (identifier in body) {
      throw new WireProtocolError(`OP_MSG field '${identifier}' is both in the body and a document sequence`);
    }
    body[identifier] = documents;
  }
  return {
    opCode: OpCode.Msg,
    requestId,
    command: body,
    moreToCome: (flags & OP_MSG_MORE_TO_COME) !== 0,
  };
}

function parseOpQuery(message: Buffer, requestId: number): OpQueryRequest {
  const [fullCollectionName, afterName] = readCString(message, HEADER_BYTES + 4);
  // Skip numberToSkip and numberToReturn: only single-document command replies are produced.
  const [query] = readDocument(message, afterName + 8, message.length);
  return { opCode: OpCode.Query, requestId, fullCollectionName, query };
}

/** bson returns Uint8Array; Buffer.concat wants Buffers. This wraps without copying. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function header(totalLength: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES);
  buffer.writeInt32LE(totalLength, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

/** An OP_MSG reply: flags 0 (we never stream with moreToCome) and one kind-0 section. */
export function encodeOpMsgReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const body = asBuffer(serialize(reply, { ignoreUndefined: true }));
  const prefix = Buffer.alloc(5); // uint32 flagBits = 0, then section kind 0
  const total = HEADER_BYTES + prefix.length + body.length;
  return Buffer.concat([header(total, requestId, responseTo, OpCode.Msg), prefix, body], total);
}

/** An OP_REPLY carrying one document, the legacy answer to an OP_QUERY command. */
export function encodeOpReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const body = asBuffer(serialize(reply, { ignoreUndefined: true }));
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64 0), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  const total = HEADER_BYTES + fields.length + body.length;
  return Buffer.concat([header(total, requestId, responseTo, OpCode.Reply), fields, body], total);
}

/** Builds an OP_MSG request; used by the tests that speak raw protocol. */
export function encodeOpMsgRequest(
  requestId: number,
  command: Document,
  sequences: Record<string, Document[]> = {},
): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), asBuffer(serialize(command))];
  for (const [identifier, documents] of Object.entries(sequences)) {
    const name = Buffer.from(`${identifier}\0`, 'utf8');
    const docs = documents.map((document) => asBuffer(serialize(document)));
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + name.length + docs.reduce((sum, doc) => sum + doc.length, 0));
    parts.push(Buffer.from([1]), size, name, ...docs);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([header(HEADER_BYTES + body.length, requestId, 0, OpCode.Msg), body]);
}

/** Builds a legacy OP_QUERY command request (what drivers send for the first handshake). */
export function encodeOpQueryRequest(requestId: number, fullCollectionName: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const name = Buffer.from(`${fullCollectionName}\0`, 'utf8');
  const skipAndReturn = Buffer.alloc(8);
  skipAndReturn.writeInt32LE(-1, 4); // numberToReturn -1: one document, close the cursor
  const body = Buffer.concat([flags, name, skipAndReturn, asBuffer(serialize(query))]);
  return Buffer.concat([header(HEADER_BYTES + body.length, requestId, 0, OpCode.Query), body]);
}

/** Decodes the single document of an OP_MSG or OP_REPLY reply (for the raw-protocol tests). */
export function parseReplyDocument(message: Buffer): { opCode: number; responseTo: number; reply: Document } {
  const responseTo = message.readInt32LE(8);
  const opCode = message.readInt32LE(12);
  const offset = opCode === OpCode.Reply ? HEADER_BYTES + 20 : HEADER_BYTES + 5;
  const [reply] = readDocument(message, offset, message.length);
  return { opCode, responseTo, reply };
}
