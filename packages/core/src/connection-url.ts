/** Host and port of a connection URL, for error messages that must never carry credentials. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * `redis://user:secret@host:6380/0` -> `redis://user:***@host:6380/0`. Anything that
 * does not parse as a URL is replaced whole, since it may hold a secret in an unknown place.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}

/** Replaces every occurrence of the URL's password in `text` (error messages of drivers may echo it). */
export function redactSecrets(text: string, url: string | undefined): string {
  let result = text;
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      const password = decodeURIComponent(parsed.password);
      if (password !== '') {
        result = result.split(url).join(redactUrl(url));
        result = result.split(password).join('***');
        if (parsed.password !== password) result = result.split(parsed.password).join('***');
      }
    } catch {
      // not a URL: nothing we can recognise in the text
    }
  }
  // Any other URL with inline credentials.
  return result.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/gi, '$1***@');
}

/** Host and port from a URL, with the scheme's default port when none is given. */
export function endpointOf(url: string, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

/** The port Redis listens on when a `redis://` URL names none. */
export const DEFAULT_REDIS_PORT = 6379;

/** What a Redis URL says, in the option names of ioredis (and of every Redis client Switchyard uses). */
export interface RedisUrlOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/**
 * The connection options of a `redis://` or `rediss://` URL: user, password (both
 * percent-decoded), host, port and db; `rediss:` adds `tls`.
 *
 * @example
 * ```ts
 * redisOptionsFromUrl('redis://:p%40ss@cache:6380/2'); // { host: 'cache', port: 6380, password: 'p@ss', db: 2 }
 * ```
 */
export function redisOptionsFromUrl(redisUrl: string): RedisUrlOptions {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`Redis URL must start with redis:// or rediss://, got ${url.protocol}//`);
  }
  const { host, port } = endpointOf(redisUrl, DEFAULT_REDIS_PORT);
  const db = url.pathname.replace(/^\//, '');
  return {
    host,
    port,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
