import type { Db } from 'mongodb';
import type { Endpoint } from '@switchyard/core';

export const MONGO_DEFAULT_PORT = 27017;

/**
 * Host and port of the first server in a MongoDB connection string, for error
 * messages. Done by hand because `mongodb://a:1,b:2/db` is not a WHATWG URL;
 * credentials are skipped, never returned.
 *
 * @example
 * ```ts
 * mongoEndpointOf('mongodb://app:secret@db1:27018,db2/app'); // { host: 'db1', port: 27018 }
 * ```
 */
export function mongoEndpointOf(url: string): Endpoint {
  const afterScheme = url.includes('://') ? url.slice(url.indexOf('://') + 3) : url;
  const authority = afterScheme.split(/[/?]/, 1)[0] ?? '';
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  const first = hosts.split(',', 1)[0] ?? '';
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(first);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : MONGO_DEFAULT_PORT };
  const [host, port] = first.split(':');
  return { host: host || 'localhost', port: port ? Number(port) : MONGO_DEFAULT_PORT };
}

/** Host and port of the first server a caller's own `Db` was opened on. */
export function endpointOfDb(db: Db): Endpoint {
  const first = db.client.options.hosts[0];
  return { host: first?.host ?? first?.socketPath ?? 'localhost', port: first?.port ?? MONGO_DEFAULT_PORT };
}
