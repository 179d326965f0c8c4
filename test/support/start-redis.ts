/**
 * A Redis server for tests.
 *
 * - `startRedis()`: the `REDIS_URL` server when that is set ('external'), else a
 *   `redis-server` from PATH that this harness starts on a free loopback port
 *   ('redis-server'). Shared by every test file of the run: started on first use,
 *   killed when the process exits.
 * - `startOwnRedis()`: always a fresh `redis-server` of the caller's own, for tests
 *   that stop and restart it or need a password, whatever `REDIS_URL` says. The caller
 *   stops it.
 *
 * Each server runs without persistence (`--save '' --appendonly no`), so a restart
 * comes back empty, and never touches the system's Redis on 6379. `startOwnRedis({
 * persistent: true })` runs it with `appendonly yes` and `appendfsync always` in a
 * directory of its own instead, so a restart (SIGTERM, then the same port again) comes
 * back with every acknowledged write, as a production Redis with AOF does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { redactUrl } from '@switchyard/core';
import { freeLoopbackPort } from './free-port.js';
import { killWithTestProcess } from './kill-with-test-process.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  kind: 'external' | 'redis-server';
  /** Stops the server (a no-op for an external one and for the shared one: it lives as long as the run). */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port. Only servers from `startOwnRedis()`. */
  restart(): Promise<void>;
  /**
   * Suspends the server's process (SIGSTOP): its connections stay open and nothing is
   * answered, as with a server that hangs. `thaw()` resumes it. Only servers from
   * `startOwnRedis()`.
   */
  freeze(): void;
  thaw(): void;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

let shared: Promise<RedisServer> | undefined;

/** The run's shared Redis: `REDIS_URL`, or one `redis-server` started for the whole run. */
export function startRedis(): Promise<RedisServer> {
  shared ??= (async () => {
    const external = process.env.REDIS_URL;
    if (external !== undefined && external !== '') {
      console.log(`[redis] using REDIS_URL (${redactUrl(external)})`);
      return {
        url: external,
        kind: 'external',
        stop: async () => {},
        restart: async () => {
          throw new Error('cannot restart the external REDIS_URL server; use startOwnRedis()');
        },
        freeze: () => {
          throw new Error('cannot freeze the external REDIS_URL server; use startOwnRedis()');
        },
        thaw: () => {},
      } satisfies RedisServer;
    }
    const server = await startOwnRedis({ quiet: true });
    console.log(`[redis] started redis-server on ${server.url} for this test run`);
    // The shared server lives until the run ends (mocha exits the process then).
    return { ...server, stop: async () => {} };
  })();
  return shared;
}

export interface OwnRedisOptions {
  /** Makes the server require AUTH with this password. */
  password?: string;
  /** `appendonly yes` + `appendfsync always` in a fresh directory, so `restart()` keeps the data. */
  persistent?: boolean;
  quiet?: boolean;
}

/** A `redis-server` of the caller's own on a free loopback port; `password` makes it require AUTH. */
export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<RedisServer> {
  const port = await freeLoopbackPort();
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = `redis://${auth}127.0.0.1:${port}`;
  // The append-only file lives in a directory of this server's own, removed when it stops.
  const dataDir = options.persistent === true ? mkdtempSync(join(tmpdir(), 'switchyard-redis-')) : undefined;
  let child = await launch(port, options.password, dataDir);
  if (options.quiet !== true) {
    console.log(
      `[redis] started own redis-server on 127.0.0.1:${port}${dataDir === undefined ? '' : ` (appendonly, in ${dataDir})`}`,
    );
  }
  return {
    url,
    kind: 'redis-server',
    stop: async () => {
      await terminate(child);
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
    restart: async () => {
      await terminate(child);
      child = await launch(port, options.password, dataDir);
    },
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      child.kill('SIGCONT');
    },
  };
}

async function launch(port: number, password: string | undefined, dataDir?: string): Promise<ChildProcess> {
  const persistence =
    dataDir === undefined
      ? ['--appendonly', 'no', '--dir', tmpdir()]
      : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence];
  if (password !== undefined) args.push('--requirepass', password);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  killWithTestProcess(child);
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start redis-server from PATH: ${error.message}`)));
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with code ${code} before answering: ${stderr.trim()}`)),
    );
  });
  spawnError.catch(() => {});
  await Promise.race([waitForPong(port, password), spawnError]);
  return child;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A frozen server (`freeze()`) handles SIGTERM only once it runs again.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Resolves once the server answers PING (with AUTH first when it needs a password), or rejects at the deadline. */
async function waitForPong(port: number, password: string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await answersPing(port, password)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function answersPing(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-')) done(false);
    });
    socket.connect(port, '127.0.0.1', () => {
      socket.write(password === undefined ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`);
    });
  });
}
