/**
 * A PostgreSQL server for tests.
 *
 * - `startPostgres()`: the `DATABASE_URL` server when that is set ('external'), else a
 *   cluster this harness makes and starts ('pg_ctl'): `initdb` in a temporary folder,
 *   `pg_ctl start` on a free loopback port. Shared by every test file of the run:
 *   started on first use, stopped (`pg_ctl stop -m immediate`) and removed when the
 *   process exits.
 * - `startOwnPostgres()`: always a fresh cluster of the caller's own, for tests that
 *   stop and restart it or need a password, whatever `DATABASE_URL` says. The caller
 *   stops it.
 *
 * `initdb` and `pg_ctl` come from PATH, else from the newest `/usr/lib/postgresql/<n>/bin`
 * (Debian's `postgresql` package puts them there). `initdb` refuses to run as root, so
 * as root both run as the `postgres` user (`runuser -u postgres --`), in a folder it
 * owns. The cluster runs with `fsync=off` (a test database need not survive a power
 * cut) and never on the machine's own PostgreSQL port. It also commits without waiting
 * for the WAL (`synchronous_commit=off`), unless `startOwnPostgres({ durable: true })`:
 * then a commit is written before it is acknowledged, so `restart()` (a crash of the
 * server, not of the machine) loses no acknowledged write, as a production server's.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { redactUrl } from '@switchyard/core';
import { freeLoopbackPort } from './free-port.js';

export interface PostgresServer {
  /** `postgres://user[:password]@127.0.0.1:<port>/postgres` */
  url: string;
  kind: 'external' | 'pg_ctl';
  /** Stops the server (a no-op for an external one and for the shared one: it lives as long as the run). */
  stop(): Promise<void>;
  /** `pg_ctl restart -m immediate`: a crash and a recovery, on the same port. Only servers from `startOwnPostgres()`. */
  restart(): Promise<void>;
}

export interface OwnPostgresOptions {
  /** Makes TCP connections need this password (scram-sha-256) for user `postgres`. */
  password?: string;
  /** Commits acknowledged only once written (`synchronous_commit=on`), so they survive `restart()`. */
  durable?: boolean;
  quiet?: boolean;
}

let shared: Promise<PostgresServer> | undefined;

/** The run's shared PostgreSQL: `DATABASE_URL`, or one cluster started for the whole run. */
export function startPostgres(): Promise<PostgresServer> {
  shared ??= (async () => {
    const external = process.env.DATABASE_URL;
    if (external !== undefined && external !== '') {
      console.log(`[postgres] using DATABASE_URL (${redactUrl(external)})`);
      return {
        url: external,
        kind: 'external',
        stop: async () => {},
        restart: async () => {
          throw new Error('cannot restart the external DATABASE_URL server; use startOwnPostgres()');
        },
      } satisfies PostgresServer;
    }
    const server = await startOwnPostgres({ quiet: true });
    console.log(`[postgres] started a cluster on ${server.url} for this test run`);
    return { ...server, stop: async () => {} };
  })();
  return shared;
}

/** A cluster of the caller's own on a free loopback port. */
export async function startOwnPostgres(options: OwnPostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDirectory();
  const port = await freeLoopbackPort();
  const folder = mkdtempSync(join(tmpdir(), 'switchyard-postgres-'));
  const dataDir = join(folder, 'data');
  const owner = runsAsRoot() ? postgresUser() : undefined;
  const initdbArgs = ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--auth-local=trust'];
  if (options.password === undefined) {
    initdbArgs.push('--auth-host=trust');
  } else {
    const passwordFile = join(folder, 'password');
    writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
    if (owner !== undefined) chownSync(passwordFile, owner.uid, owner.gid);
    initdbArgs.push('--auth-host=scram-sha-256', `--pwfile=${passwordFile}`);
  }
  if (owner !== undefined) {
    chownSync(folder, owner.uid, owner.gid);
    chmodSync(folder, 0o700);
  }
  run(owner, join(bin, 'initdb'), initdbArgs);
  const commits = options.durable === true ? '' : ' -c synchronous_commit=off';
  const serverOptions = `-p ${port} -h 127.0.0.1 -k ${folder} -c fsync=off${commits} -c full_page_writes=off -c max_connections=300`;
  const pgCtlArgs = (args: string[]) => ['-D', dataDir, '-l', join(folder, 'server.log'), ...args];
  const pgCtl = (args: string[]) => run(owner, join(bin, 'pg_ctl'), pgCtlArgs(args));
  pgCtl(['-o', serverOptions, '-w', '-t', '30', 'start']);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      pgCtl(['-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
  // The cluster is a daemon, not a child: stop it when the test process ends, however it ends.
  process.once('exit', stopNow);
  const auth = options.password === undefined ? 'postgres' : `postgres:${encodeURIComponent(options.password)}`;
  const url = `postgres://${auth}@127.0.0.1:${port}/postgres`;
  if (options.quiet !== true) console.log(`[postgres] started own cluster on 127.0.0.1:${port} (in ${folder})`);
  return {
    url,
    kind: 'pg_ctl',
    stop: async () => {
      process.removeListener('exit', stopNow);
      stopNow();
    },
    restart: async () => {
      // Not blocking this process: its clients must see the server go away and come back.
      await runAsync(
        owner,
        join(bin, 'pg_ctl'),
        pgCtlArgs(['-m', 'immediate', '-o', serverOptions, '-w', '-t', '30', 'restart']),
      );
    },
  };
}

/** Where `initdb` and `pg_ctl` are: PATH, else the newest Debian `/usr/lib/postgresql/<n>/bin`. */
export function postgresBinDirectory(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).filter((entry) => entry !== ''),
    ...debianPostgresBinDirectories(),
  ];
  for (const directory of candidates) {
    if (isExecutable(join(directory, 'initdb')) && isExecutable(join(directory, 'pg_ctl'))) return directory;
  }
  throw new Error(
    'PostgreSQL tests need initdb and pg_ctl (on PATH or in /usr/lib/postgresql/<n>/bin): apt-get install postgresql, or set DATABASE_URL',
  );
}

function debianPostgresBinDirectories(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((version) => /^\d+$/.test(version))
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => join('/usr/lib/postgresql', version, 'bin'));
  } catch {
    return [];
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      "PostgreSQL tests run as root need a 'postgres' user for initdb (apt-get install postgresql makes one)",
    );
  }
}

/** The command line of a PostgreSQL tool: as `postgres` when this process is root. */
function asOwner(owner: { uid: number } | undefined, command: string, args: string[]): [string, string[]] {
  return owner === undefined ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

/** `run`, without blocking the event loop; rejects with the tool's output when it fails. */
async function runAsync(owner: { uid: number } | undefined, command: string, args: string[]): Promise<void> {
  const [file, fileArgs] = asOwner(owner, command, args);
  try {
    await promisify(execFile)(file, fileArgs, { encoding: 'utf8', cwd: tmpdir() });
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed (${message}): ${stderr || stdout}`, { cause: error });
  }
}

/** Runs a PostgreSQL tool, as `postgres` when this process is root; throws with its output when it fails. */
function run(owner: { uid: number } | undefined, command: string, args: string[]): void {
  const [file, fileArgs] = asOwner(owner, command, args);
  const result = spawnSync(file, fileArgs, { encoding: 'utf8', cwd: tmpdir() });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr || result.stdout}`,
    );
  }
}
