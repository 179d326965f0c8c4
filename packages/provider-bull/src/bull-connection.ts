/**
 * The Redis connections of one provider, shared the way Bull recommends
 * (https://github.com/OptimalBits/bull/blob/develop/PATTERNS.md#reusing-redis-connections):
 * one command client and one subscriber for every queue, and a fresh blocking client
 * (`bclient`) per queue, because a blocking BRPOPLPUSH holds its connection. The command
 * client sends the commands of one turn of the event loop in few writes (`coalesceWrites`).
 *
 * Failure handling, the part Bull leaves to the caller:
 * - `open()` fails within `connectTimeoutMs` with `ProviderUnavailableError` (host and
 *   port, never the password) when Redis is down, the port is wrong or AUTH fails;
 *   until then ioredis does not retry, so nothing keeps reconnecting after a failure;
 * - once open, the command client retries a lost connection, but fails each command
 *   after two reconnection attempts, so calls made while Redis is down reject rather
 *   than wait for it; and once Redis has answered nothing for `commandTimeoutMs` (a
 *   server that hangs), its waiting commands fail (`UnansweredCommands`);
 * - `disconnect()` ends every connection at once, reconnect timers included, so a
 *   provider closed while Redis is down does not keep the process alive.
 */
import { Redis, type RedisOptions } from 'ioredis';
import {
  DEFAULT_REDIS_PORT,
  ProviderUnavailableError,
  endpointOf,
  redactSecrets,
  redisOptionsFromUrl,
  type Endpoint,
} from '@switchyard/core';
import { coalesceWrites } from './coalesce-writes.js';
import { UnansweredCommands } from './unanswered-commands.js';

/** Redis URLs as ioredis options: core's, kept here for the tests that import it from this module. */
export { DEFAULT_REDIS_PORT, redisOptionsFromUrl };
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
/** Reconnection attempts after which a command fails instead of waiting (ioredis `maxRetriesPerRequest`). */
const COMMAND_RETRIES_WHILE_DISCONNECTED = 2;

export type BullClientType = 'client' | 'subscriber' | 'bclient';

/** ioredis' method that fails every queued command (not in its type declarations). */
interface Flushable {
  flushQueue?: (error: Error) => void;
}

export class BullConnection {
  readonly endpoint: Endpoint;
  private readonly baseOptions: RedisOptions;
  private client: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly blockingClients = new Set<Redis>();
  private unanswered: UnansweredCommands | undefined;
  /** True once `open()` succeeded: only then may ioredis reconnect on its own. */
  private established = false;
  private ended = false;

  constructor(
    private readonly redisUrl: string,
    private readonly options: {
      connectTimeoutMs: number;
      commandTimeoutMs: number;
      /** Errors of a connection once open (the provider reports them). */
      onError: (error: Error) => void;
    },
  ) {
    this.endpoint = endpointOf(redisUrl, DEFAULT_REDIS_PORT);
    // ioredis waits this long for a socket to close before destroying it, and its timer
    // keeps the process alive meanwhile (2 s by default, even for a socket already gone).
    this.baseOptions = { ...redisOptionsFromUrl(redisUrl), disconnectTimeout: 200 };
  }

  /** Connects the shared client and subscriber, and checks that Redis answers (and accepts our password). */
  async open(): Promise<void> {
    const retryStrategy = (times: number): number | null =>
      this.established && !this.ended ? reconnectDelay(times) : null;
    const client = new Redis({
      ...this.baseOptions,
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs,
      maxRetriesPerRequest: COMMAND_RETRIES_WHILE_DISCONNECTED,
      retryStrategy,
    });
    // Bull requires a subscriber without ready check and without a retry limit.
    const subscriber = new Redis({
      ...this.baseOptions,
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs,
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      retryStrategy,
    });
    // Every queue adds its own listeners to the two shared connections: with more than
    // ten job names Node would warn of a listener leak where there is none.
    client.setMaxListeners(0);
    subscriber.setMaxListeners(0);
    // Every command of the provider and its queues goes through this client: each
    // connection it makes (reconnections too) sends a turn's commands in few writes.
    client.on('connect', () => coalesceWrites(client.stream));
    this.unanswered = new UnansweredCommands(client, this.options.commandTimeoutMs);
    this.client = client;
    this.subscriber = subscriber;
    let lastError: Error | undefined;
    for (const connection of [client, subscriber]) {
      connection.on('error', (error: Error) => {
        if (this.established) this.options.onError(error);
        else lastError = error;
      });
    }
    try {
      await withDeadline(
        (async () => {
          await Promise.all([client.connect(), subscriber.connect()]);
          await client.ping();
          // The subscriber authenticates too; a PING proves it (before it enters subscribe mode).
          await subscriber.ping();
        })(),
        this.options.connectTimeoutMs,
        `no answer within ${this.options.connectTimeoutMs} ms`,
      );
      this.established = true;
    } catch (error) {
      this.disconnect();
      throw this.unavailable(lastError ?? error);
    }
  }

  /** Bull's `createClient`: the shared client and subscriber, or a new blocking client. */
  readonly createClient = (type: BullClientType): Redis => {
    if (type === 'client') return this.sharedClient();
    if (type === 'subscriber') {
      if (this.subscriber === undefined) throw new Error('the Redis connection is not open');
      return this.subscriber;
    }
    const blocking = new Redis({
      ...this.baseOptions,
      connectTimeout: this.options.connectTimeoutMs,
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => (this.ended ? null : reconnectDelay(times)),
    });
    // Bull names its worker connection (setWorkerName) and does not handle a failure of
    // that CLIENT SETNAME: if the connection ends before the answer (close right after
    // start, or an outage) the rejection would go unhandled and end the process. The
    // name is only cosmetic (Queue#getWorkers), so a failure to set it is ignored.
    const sendClientCommand = blocking.client.bind(blocking) as (...args: unknown[]) => Promise<unknown>;
    (blocking as unknown as { client: (...args: unknown[]) => Promise<unknown> }).client = (...args: unknown[]) =>
      args[0] === 'setname' ? sendClientCommand(...args).catch(() => 'OK') : sendClientCommand(...args);
    blocking.on('error', (error: Error) => {
      if (!this.ended) this.options.onError(error);
    });
    // Kept even after it ends: Bull reconnects a blocking client of its own accord
    // (after a local pause), and disconnect() must end it then too.
    this.blockingClients.add(blocking);
    return blocking;
  };

  sharedClient(): Redis {
    if (this.client === undefined) throw new Error('the Redis connection is not open');
    return this.client;
  }

  get isOpen(): boolean {
    return this.established && !this.ended;
  }

  /**
   * A Redis or connection error as `ProviderUnavailableError` naming host and port,
   * with any password taken out of the reason.
   */
  unavailable(error: unknown): ProviderUnavailableError {
    const reason = redactSecrets(describe(error), this.redisUrl);
    return new ProviderUnavailableError('bull', this.endpoint.host, this.endpoint.port, reason);
  }

  /** True for errors that mean "Redis cannot be reached", as opposed to a bad command. */
  isConnectionError(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    if (error.name === 'MaxRetriesPerRequestError') return true;
    if (this.client !== undefined && this.client.status !== 'ready') return true;
    return /Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Command timed out|Stream isn't writeable|NOAUTH|WRONGPASS/i.test(
      error.message,
    );
  }

  /** Ends every connection now, reconnect timers included. Safe to call more than once. */
  disconnect(): void {
    this.ended = true;
    this.unanswered?.stop();
    for (const connection of [this.client, this.subscriber, ...this.blockingClients]) {
      if (connection === undefined || connection.status === 'end') continue;
      const wasConnected = connection.status === 'ready' || connection.status === 'connect';
      connection.disconnect(false);
      // Between two reconnection attempts there is no socket to close, so ioredis would
      // leave queued commands pending for good: fail them now, as a closed connection does.
      if (!wasConnected) (connection as unknown as Flushable).flushQueue?.(new Error('Connection is closed.'));
    }
    this.blockingClients.clear();
  }
}

function reconnectDelay(times: number): number {
  return Math.min(100 * times, 1000);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  // Whatever it settles to after the deadline has nobody left to tell.
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
