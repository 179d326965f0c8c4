import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import type { Document } from 'bson';
import { startMongo, uniqueDatabaseName, type StartedMongo } from '../support/start-mongo.js';
import {
  MessageFramer,
  OpCode,
  encodeOpMsgRequest,
  encodeOpQueryRequest,
  parseReplyDocument,
} from '../support/mongo-wire-server/wire-protocol.js';

/** A bare TCP client speaking the wire protocol, to test what the driver never sends (legacy OP_QUERY, kind-1 sections). */
class RawWireClient {
  private readonly framer = new MessageFramer();
  private readonly replies: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private nextRequestId = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.replies.push(...this.framer.push(chunk));
      this.waiter?.();
    });
  }

  static async open(host: string, port: number): Promise<RawWireClient> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawWireClient(socket);
  }

  send(build: (requestId: number) => Buffer): number {
    const requestId = this.nextRequestId++;
    this.socket.write(build(requestId));
    return requestId;
  }

  async reply(timeoutMs = 2000): Promise<{ opCode: number; responseTo: number; reply: Document }> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return parseReplyDocument(this.replies.shift() as Buffer);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** host and port of a plain `mongodb://host:port` URI, or undefined for anything fancier (srv, auth, TLS). */
function plainHostAndPort(uri: string): { host: string; port: number } | undefined {
  const match = /^mongodb:\/\/([^@/,?]+):(\d+)\/?$/.exec(uri);
  return match ? { host: match[1] as string, port: Number(match[2]) } : undefined;
}

describe('MongoDB for tests: the wire protocol itself', function () {
  let mongo: StartedMongo;
  let client: RawWireClient;
  const database = uniqueDatabaseName('wire');

  before(async function () {
    mongo = await startMongo();
    const address = plainHostAndPort(mongo.uri);
    if (address === undefined) this.skip();
    client = await RawWireClient.open(address.host, address.port);
  });

  after(async function () {
    if (client !== undefined) {
      client.send((id) => encodeOpMsgRequest(id, { dropDatabase: 1, $db: database }));
      await client.reply();
      client.close();
    }
    await mongo?.stop();
  });

  it('answers the legacy OP_QUERY isMaster handshake with an OP_REPLY', async function () {
    const requestId = client.send((id) => encodeOpQueryRequest(id, 'admin.$cmd', { isMaster: 1, helloOk: true }));
    const { opCode, responseTo, reply } = await client.reply();
    expect(opCode).to.equal(OpCode.Reply);
    expect(responseTo).to.equal(requestId);
    expect(reply.ok).to.equal(1);
    expect(reply.ismaster).to.equal(true);
    expect(reply.maxWireVersion).to.be.at.least(6);
  });

  it('accepts OP_MSG with a kind-1 document sequence and answers with OP_MSG', async function () {
    const insertId = client.send((id) =>
      encodeOpMsgRequest(
        id,
        { insert: 'raw', $db: database },
        {
          documents: [
            { _id: 1, via: 'sequence' },
            { _id: 2, via: 'sequence' },
          ],
        },
      ),
    );
    const inserted = await client.reply();
    expect(inserted.opCode).to.equal(OpCode.Msg);
    expect(inserted.responseTo).to.equal(insertId);
    expect(inserted.reply).to.include({ ok: 1, n: 2 });

    client.send((id) => encodeOpMsgRequest(id, { find: 'raw', filter: {}, sort: { _id: 1 }, $db: database }));
    const found = await client.reply();
    expect(found.reply.cursor.firstBatch).to.deep.equal([
      { _id: 1, via: 'sequence' },
      { _id: 2, via: 'sequence' },
    ]);
  });

  it('sends no reply to an OP_MSG with moreToCome (an unacknowledged write)', async function () {
    client.send((id) => {
      const message = encodeOpMsgRequest(id, {
        insert: 'raw',
        documents: [{ _id: 3 }],
        writeConcern: { w: 0 },
        $db: database,
      });
      message.writeUInt32LE(2, 16); // flagBits: moreToCome
      return message;
    });
    const pingId = client.send((id) => encodeOpMsgRequest(id, { ping: 1, $db: 'admin' }));
    const next = await client.reply();
    expect(next.responseTo, 'the first reply is the ping').to.equal(pingId);

    client.send((id) => encodeOpMsgRequest(id, { count: 'raw', $db: database }));
    expect((await client.reply()).reply.n).to.equal(3);
  });
});

describe('MessageFramer (the wire server splitting a TCP stream into messages)', function () {
  it('reassembles messages that arrive byte by byte and splits messages that arrive together', function () {
    const first = encodeOpMsgRequest(1, { ping: 1, $db: 'admin' });
    const second = encodeOpQueryRequest(2, 'admin.$cmd', { isMaster: 1 });
    const stream = Buffer.concat([first, second]);

    const byteByByte = new MessageFramer();
    const reassembled = [...stream].flatMap((byte) => byteByByte.push(Buffer.from([byte])));
    expect(reassembled.map((message) => message.readInt32LE(4))).to.deep.equal([1, 2]);

    const together = new MessageFramer().push(stream);
    expect(together.map((message) => message.length)).to.deep.equal([first.length, second.length]);
  });

  it('rejects a length no MongoDB message can have', function () {
    const garbage = Buffer.alloc(8);
    garbage.writeInt32LE(3, 0);
    expect(() => new MessageFramer().push(garbage)).to.throw(/invalid message length/);
  });
});
