/**
 * Checks captured text (log lines, error messages, stacks, JSON of errors) for a password
 * in any form a URL or a log could carry it: raw, percent-encoded (upper- or lower-case
 * hex), and encoded twice.
 */
import { expect } from 'chai';

/** Every spelling of `secret` that must never be printed. */
export function secretForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const lowerHex = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  return [...new Set([secret, encoded, lowerHex, encodeURIComponent(encoded)])];
}

/** Fails naming the form and showing where it leaked. */
export function assertNoSecret(captured: string, secrets: readonly string[], what: string): void {
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      const at = captured.indexOf(form);
      const around = at < 0 ? '' : captured.slice(Math.max(0, at - 120), at + form.length + 40);
      expect(at, `${what} leaks the password as '${form}': ...${around}...`).to.equal(-1);
    }
  }
}

/** Everything an error can show: message, String(), stack, JSON, and the same for its causes. */
export function everythingAbout(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what String() shows is one of the things searched
    parts.push(String(current));
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    try {
      parts.push(JSON.stringify(current, Object.getOwnPropertyNames(current)));
      parts.push(JSON.stringify(current));
    } catch {
      parts.push('[not JSON-serialisable]');
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}
