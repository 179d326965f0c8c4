import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { coalesceWrites, WRITES_PER_FLUSH } from '../src/coalesce-writes.js';
import { startOwnRedis, type RedisServer } from '../../../test/support/start-redis.js';
import { waitUntil } from '../../../test/support/wait-until.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('coalesceWrites: few writes per turn of the event loop', () => {
  let server: Server;
  let received: Buffer[];
  let ended: Promise<unknown>;

  beforeEach(async () => {
    received = [];
    server = createServer((peer) => {
      peer.on('data', (chunk: Buffer) => received.push(chunk));
      ended = once(peer, 'end');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterEach(async () => {
    server.close();
  });

  async function connectedSocket(): Promise<Socket> {
    const address = server.address() as { port: number };
    const socket = connect(address.port, '127.0.0.1');
    await once(socket, 'connect');
    coalesceWrites(socket);
    return socket;
  }

  const receivedText = () => Buffer.concat(received).toString();

  it('sends the first write of a turn at once, holds the rest, then sends them all, in order, once the turn is over', async () => {
    const socket = await connectedSocket();
    socket.write('one ');
    // A connected socket that is not corked hands each write to the kernel at once.
    expect(socket.writableCorked).to.equal(0);
    expect(socket.writableLength).to.equal(0);
    socket.write(Buffer.from('two '));
    socket.write('three ');
    expect(socket.writableCorked).to.equal(1);
    expect(socket.writableLength).to.equal('two three '.length);

    await nextTurn();
    expect(socket.writableCorked).to.equal(0);
    expect(socket.writableLength).to.equal(0);
    await waitUntil(() => receivedText() === 'one two three ', {
      timeoutMs: 5000,
      message: 'the three writes to arrive',
    });
    socket.destroy();
  });

  it(`sends what it holds every ${WRITES_PER_FLUSH} writes, without waiting for the turn to end`, async () => {
    const socket = await connectedSocket();
    socket.write('first;');
    for (let n = 1; n < WRITES_PER_FLUSH; n += 1) socket.write(`${n};`);
    expect(socket.writableCorked).to.equal(1);
    socket.write(`${WRITES_PER_FLUSH};`);
    expect(socket.writableCorked).to.equal(0);
    expect(socket.writableLength).to.equal(0);
    socket.write('next;');
    expect(socket.writableCorked).to.equal(1);

    const expected = ['first', ...Array.from({ length: WRITES_PER_FLUSH }, (_, n) => String(n + 1)), 'next']
      .map((part) => `${part};`)
      .join('');
    // The flushed writes reach the peer while the turn goes on; the last one once it is over.
    await waitUntil(() => receivedText() === expected, { timeoutMs: 5000, message: 'every write to arrive' });
    socket.destroy();
  });

  it('coalesces each later turn again, and calls write callbacks', async () => {
    const socket = await connectedSocket();
    socket.write('a');
    await nextTurn();
    let written = false;
    socket.write('b');
    expect(socket.writableCorked).to.equal(0);
    socket.write('c', () => (written = true));
    expect(socket.writableCorked).to.equal(1);
    await nextTurn();
    await waitUntil(() => written && receivedText() === 'abc', {
      timeoutMs: 5000,
      message: 'the second turn to be sent',
    });
    socket.destroy();
  });

  it('sends what is held when the socket is ended in the same turn', async () => {
    const socket = await connectedSocket();
    socket.write('last ');
    socket.write('words');
    socket.end();
    await ended;
    expect(receivedText()).to.equal('last words');
  });
});

describe('BullQueueProvider: commands of one turn reach Redis together', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let admin: Redis;

  before(async () => {
    // A server of its own: the read count below is the server's, for every client.
    redis = await startOwnRedis({ quiet: true });
    admin = new Redis(redis.url);
  });

  after(async () => {
    admin.disconnect();
    await redis.stop();
  });

  /** Read events the server has handled (one per read(2) of a client socket). */
  async function readsProcessed(): Promise<number> {
    return Number(/total_reads_processed:(\d+)/.exec(await admin.info('stats'))![1]);
  }

  it('100 jobs scheduled in one turn arrive in a few reads, not one read a job', async () => {
    const provider = new BullQueueProvider({ redisUrl: redis.url, prefix: `coalesce-${randomUUID()}` });
    try {
      // The queue exists and its scripts are loaded before counting.
      await provider.scheduleJob('reminder', { n: -1 });
      const before = await readsProcessed();
      await Promise.all(Array.from({ length: 100 }, (_, n) => provider.scheduleJob('reminder', { n })));
      const reads = (await readsProcessed()) - before - 1; // less the INFO that read the count
      // One write at once, then one per WRITES_PER_FLUSH (measured: 7 or 8 reads); 66 to 96 without.
      expect(reads).to.be.at.most(Math.ceil(100 / WRITES_PER_FLUSH) + 3);
      expect((await provider.getStats('reminder')).waiting).to.equal(101);
    } finally {
      await provider.close();
    }
  });
});
