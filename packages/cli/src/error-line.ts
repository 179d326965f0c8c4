import { redactSecrets } from '@switchyard/core';
import { ConfigError } from '@switchyard/container';

/** An error's message; for a `ConfigError`, every wrong setting on one line, joined with `; `. */
export function messageOf(error: unknown): string {
  if (error instanceof ConfigError)
    return `invalid configuration: ${error.problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Any error as the one line the CLI prints: the passwords of `secretUrls` (and of any
 * URL with credentials in the text) masked, no stack, no line breaks.
 */
export function errorLine(error: unknown, secretUrls: readonly string[]): string {
  // With no URL to look for, redactSecrets still masks the inline credentials of any URL.
  const redacted = [undefined, ...secretUrls].reduce<string>((text, url) => redactSecrets(text, url), messageOf(error));
  return redacted.replace(/\s*\n\s*/g, ' ').trim();
}
