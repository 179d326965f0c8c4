/**
 * A MongoDB server for tests, in-process and in-memory, speaking the real wire
 * protocol so the official driver and Agenda talk to it unmodified.
 *
 *              start()                 goDown() / simulateOutage(ms)
 *   stopped ──────────────▶  up  ───────────────────────────────────▶ down
 *      ▲                     │  ◀───────────────────────────────────  │
 *      └──── stop() ─────────┴──── comeBack() (or the outage ends) ───┘ (stop() too)
 *
 * "down" drops every connection and closes the listening socket, so clients see
 * a reset and then ECONNREFUSED, as with a crashed mongod; the data is kept and is
 * there again after comeBack(), on the same port.
 *
 * @example
 * ```ts
 * const server = await new MongoWireServer().start();   // random loopback port
 * const client = await MongoClient.connect(`${server.uri}/mydb`);
 * await server.simulateOutage(500);                     // resolves when back up
 * await client.close();
 * await server.stop();
 * ```
 */
import { createServer, type Server, type Socket } from 'node:net';
import { CommandRouter } from './command-router.js';
import { ClientConnection, type ServerState } from './client-connection.js';
import { CursorRegistry } from './cursor-registry.js';
import { DatabaseCatalog } from './database-catalog.js';
import { catalogCommands } from './commands/catalog-commands.js';
import { handshakeCommands } from './commands/handshake-commands.js';
import { indexCommands } from './commands/index-commands.js';
import { readCommands } from './commands/read-commands.js';
import { writeCommands } from './commands/write-commands.js';

export interface MongoWireServerOptions {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
  /** Defaults to 127.0.0.1; tests never listen beyond loopback. */
  host?: string;
}

export type MongoWireServerStatus = 'stopped' | 'up' | 'down';

export class MongoWireServer {
  private readonly catalog = new DatabaseCatalog();
  private readonly cursors = new CursorRegistry();
  private readonly router = new CommandRouter(
    handshakeCommands,
    readCommands,
    writeCommands,
    indexCommands,
    catalogCommands,
  );
  private readonly sockets = new Set<Socket>();
  private listener: Server | undefined;
  private address: { host: string; port: number } | undefined;
  private outageTimer: NodeJS.Timeout | undefined;
  private endOutage: (() => void) | undefined;
  private connectionCount = 0;
  private requestCount = 0;
  private currentStatus: MongoWireServerStatus = 'stopped';
  private readonly state: ServerState;

  constructor() {
    this.state = {
      catalog: this.catalog,
      cursors: this.cursors,
      router: this.router,
      startedAt: new Date(),
      nextRequestId: () => {
        this.requestCount = (this.requestCount + 1) % 0x7fffffff;
        return this.requestCount;
      },
    };
  }

  get status(): MongoWireServerStatus {
    return this.currentStatus;
  }

  /** The commands this server answers. */
  get supportedCommands(): string[] {
    return this.router.commandNames;
  }

  /** Open client connections right now. */
  get connectionsOpen(): number {
    return this.sockets.size;
  }

  get port(): number {
    if (this.address === undefined) throw new Error('MongoWireServer has not been started');
    return this.address.port;
  }

  /** `mongodb://host:port` without a database; append `/name` for one. */
  get uri(): string {
    if (this.address === undefined) throw new Error('MongoWireServer has not been started');
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    return `mongodb://${host}:${this.address.port}`;
  }

  async start(options: MongoWireServerOptions = {}): Promise<this> {
    if (this.currentStatus !== 'stopped') throw new Error(`MongoWireServer is already ${this.currentStatus}`);
    await this.listen(options.host ?? '127.0.0.1', options.port ?? 0);
    return this;
  }

  /** Drops every connection and refuses new ones until comeBack(); data is kept. */
  async goDown(): Promise<void> {
    if (this.currentStatus !== 'up') throw new Error(`MongoWireServer cannot go down while ${this.currentStatus}`);
    this.currentStatus = 'down';
    await this.closeListener();
  }

  /** Listens again on the same host and port after goDown(). */
  async comeBack(): Promise<void> {
    if (this.currentStatus !== 'down' || this.address === undefined) {
      throw new Error(`MongoWireServer cannot come back while ${this.currentStatus}`);
    }
    this.clearOutageTimer();
    await this.listen(this.address.host, this.address.port);
  }

  /** goDown(), then comeBack() after `durationMs`; resolves once the server is back up. */
  async simulateOutage(durationMs: number): Promise<void> {
    await this.goDown();
    await new Promise<void>((resolve) => {
      this.endOutage = resolve;
      this.outageTimer = setTimeout(resolve, durationMs);
    });
    if (this.currentStatus === 'down') await this.comeBack();
  }

  /** Closes every connection and the listener. Safe to call in any state. */
  async stop(): Promise<void> {
    this.clearOutageTimer();
    if (this.currentStatus === 'up') await this.closeListener();
    this.currentStatus = 'stopped';
  }

  private clearOutageTimer(): void {
    if (this.outageTimer !== undefined) clearTimeout(this.outageTimer);
    this.outageTimer = undefined;
    const endOutage = this.endOutage;
    this.endOutage = undefined;
    endOutage?.();
  }

  private async listen(host: string, port: number): Promise<void> {
    const listener = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host, port }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const bound = listener.address();
    if (bound === null || typeof bound === 'string') throw new Error('MongoWireServer did not bind a TCP port');
    this.listener = listener;
    this.address = { host, port: bound.port };
    this.currentStatus = 'up';
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.connectionCount += 1;
    new ClientConnection(socket, this.connectionCount, this.state);
  }

  private async closeListener(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (listener === undefined) return;
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  }
}
