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
