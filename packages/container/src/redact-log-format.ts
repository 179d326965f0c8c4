import { format } from 'winston';
import { redactSecrets } from '@switchyard/core';

/**
 * A winston format that masks secrets everywhere in a log entry: the passwords of the
 * configured connection URLs, and the credentials of any URL that shows up in a
 * message or a field (drivers like to echo connection strings in their errors).
 */
export const redactLogFormat = format((info, options?: unknown) => {
  const secrets = ((options as { secrets?: string[] } | undefined)?.secrets ?? []).filter(
    (secret) => secret.length > 0,
  );
  const clean = (text: string): string => {
    let result = redactSecrets(text, undefined);
    for (const secret of secrets) result = result.split(secret).join('***');
    return result;
  };
  const visit = (value: unknown, seen: Set<object>): unknown => {
    if (typeof value === 'string') return clean(value);
    if (value instanceof Error) return clean(value.stack ?? value.message);
    if (typeof value !== 'object' || value === null || seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => visit(item, seen));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, seen)]));
  };
  for (const key of Object.keys(info)) {
    (info as Record<string, unknown>)[key] = visit((info as Record<string, unknown>)[key], new Set());
  }
  return info;
});

/** The passwords inside connection URLs, raw and percent-decoded. */
export function urlPasswords(...urls: string[]): string[] {
  const secrets: string[] = [];
  for (const url of urls) {
    try {
      const password = new URL(url).password;
      if (password !== '') secrets.push(password, decodeURIComponent(password));
    } catch {
      // not a URL: nothing to extract
    }
  }
  return secrets;
}
