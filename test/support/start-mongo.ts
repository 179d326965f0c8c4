/**
 * MongoDB for tests, by a ladder of three rungs, first that applies wins:
 *
 *   1. MONGODB_URL is set           -> that server ('external'); never stopped by us
 *   2. a mongod binary is at hand   -> mongodb-memory-server-core runs it ('mongod')
 *        (MONGOMS_SYSTEM_BINARY, mongodb-memory-server's binary cache, or `mongod`
 *         on PATH; we look for an existing file and never let it download one,
 *         because CI machines have no internet and a download would just hang)
 *   3. otherwise                    -> our wire-protocol server ('wire-server'), in this
 *                                      process, or in a child process of its own with
 *                                      `{ wireServer: 'child-process' }` (the benchmarks:
 *                                      a database server is a process of its own, and in
 *                                      the measured process it would take that one's CPU)
 *
 * It prints one line saying which rung it used, so a test log always shows what
 * the MongoDB tests really ran against.
 *
 * Every caller should work in its own database (`uniqueDatabaseName` +
 * `mongoUriForDatabase`) and drop it afterwards, because an external server is
 * shared with whatever else uses it.
 *
 * @example
 * ```ts
 * const mongo = await startMongo();
 * const uri = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('crud'));
 * const client = await MongoClient.connect(uri);
 * // ...
 * await client.db().dropDatabase();
 * await client.close();
 * await mongo.stop();
 * ```
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MongoWireServer } from './mongo-wire-server/index.js';
import { redactSecrets } from '@switchyard/core';
import { runScript } from './script-process.js';

export type MongoKind = 'external' | 'mongod' | 'wire-server';

export interface StartedMongo {
  /** Connection string without a database path (an external URL keeps its own options). */
  readonly uri: string;
  readonly kind: MongoKind;
  /** The wire server itself when kind is 'wire-server' and it runs in this process (for outage tests). */
  readonly wireServer?: MongoWireServer;
  stop(): Promise<void>;
}

let databaseCounter = 0;

/**
 * A database name no other test run or caller uses: prefix, process id, time and a
 * counter, limited to characters and a length every MongoDB accepts (< 64 bytes).
 */
export function uniqueDatabaseName(prefix: string): string {
  databaseCounter += 1;
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 24);
  return `${safePrefix}_${process.pid}_${Date.now().toString(36)}_${databaseCounter}`;
}

/**
 * The same connection string pointing at `database`, keeping hosts, credentials
 * and query options: `mongodb://h1,h2/old?x=1` + 'new' -> `mongodb://h1,h2/new?x=1`.
 * Done by hand because multi-host MongoDB URIs are not valid WHATWG URLs.
 */
export function mongoUriForDatabase(uri: string, database: string): string {
  const schemeEnd = uri.indexOf('://');
  if (schemeEnd < 0) throw new Error(`not a MongoDB connection string: ${redactSecrets(uri, uri)}`);
  const queryStart = uri.indexOf('?', schemeEnd);
  const query = queryStart < 0 ? '' : uri.slice(queryStart);
  const beforeQuery = queryStart < 0 ? uri : uri.slice(0, queryStart);
  const pathStart = beforeQuery.indexOf('/', schemeEnd + 3);
  const authority = pathStart < 0 ? beforeQuery : beforeQuery.slice(0, pathStart);
  const originalDatabase = pathStart < 0 ? '' : decodeURIComponent(beforeQuery.slice(pathStart + 1));
  // With credentials the path database is also the auth database; keep authenticating where the URL did.
  const needsAuthSource = authority.includes('@') && !/[?&]authSource=/i.test(query);
  const authSource = needsAuthSource ? `authSource=${encodeURIComponent(originalDatabase || 'admin')}` : '';
  const fullQuery = authSource === '' ? query : query === '' ? `?${authSource}` : `${query}&${authSource}`;
  return `${authority}/${encodeURIComponent(database)}${fullQuery}`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * An existing mongod binary, or undefined. Asks mongodb-memory-server's
 * DryMongoBinary, which only looks (its cache, MONGOMS_SYSTEM_BINARY,
 * MONGOMS_DOWNLOAD_DIR) and never downloads, then falls back to PATH.
 */
async function findLocalMongod(): Promise<string | undefined> {
  const { DryMongoBinary } = await import('mongodb-memory-server-core');
  try {
    const cached = await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions());
    if (cached !== undefined) return cached;
  } catch {
    // A MONGOMS_SYSTEM_BINARY that does not exist: fall through to the next rung.
  }
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, 'mongod');
    if (directory !== '' && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function startMongod(binaryPath: string): Promise<StartedMongo> {
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const server = await MongoMemoryServer.create({
    instance: { ip: '127.0.0.1' },
    // systemBinary pins the binary we found, so mongodb-memory-server never downloads.
    binary: { systemBinary: binaryPath },
  });
  // getUri() ends with '/'; strip it so callers can append a database.
  const uri = server.getUri().replace(/\/$/, '');
  return {
    uri,
    kind: 'mongod',
    stop: async () => {
      await server.stop();
    },
  };
}

/** The wire server as `npm run mongo:test-server` runs it: a child process that prints its URI, stopped with SIGTERM. */
async function startWireServerProcess(): Promise<StartedMongo> {
  const server = runScript(new URL('../../scripts/mongo-test-server.ts', import.meta.url), []);
  const uri = await server.line(/^mongodb:\/\//, 15_000);
  return {
    uri,
    kind: 'wire-server',
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited(10_000);
    },
  };
}

async function startWireServer(): Promise<StartedMongo> {
  const server = await new MongoWireServer().start({ host: '127.0.0.1', port: 0 });
  return { uri: server.uri, kind: 'wire-server', wireServer: server, stop: () => server.stop() };
}

export interface StartMongoOptions {
  /** Where the wire-protocol server runs when it is the rung used; default 'in-process'. */
  wireServer?: 'in-process' | 'child-process';
}

export async function startMongo(options: StartMongoOptions = {}): Promise<StartedMongo> {
  const external = process.env.MONGODB_URL;
  if (external !== undefined && external.trim() !== '') {
    console.log(`[startMongo] using external MongoDB from MONGODB_URL: ${redactSecrets(external, external)}`);
    // Not ours to stop: the person who set MONGODB_URL owns that server.
    return { uri: external.trim(), kind: 'external', stop: async () => {} };
  }
  const binary = await findLocalMongod();
  if (binary !== undefined) {
    const mongod = await startMongod(binary);
    console.log(`[startMongo] using mongod ${binary} via mongodb-memory-server at ${mongod.uri}`);
    return mongod;
  }
  const childProcess = options.wireServer === 'child-process';
  const wire = childProcess ? await startWireServerProcess() : await startWireServer();
  const where = childProcess ? 'in a child process' : 'in this process';
  console.log(
    `[startMongo] using the MongoDB wire-protocol test server ${where} at ${wire.uri} (no MONGODB_URL, no local mongod binary)`,
  );
  return wire;
}
