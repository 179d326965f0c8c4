import { InvalidArgumentError } from 'commander';
import { parseDuration } from '@switchyard/container';

/**
 * Parsers of flag and argument values, for commander's `argParser`. Each throws
 * `InvalidArgumentError`, which commander turns into one line naming the flag
 * ("option '--limit <n>' argument 'abc' is invalid. ..."), exit code 2.
 */

export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

export const portNumber = wholeNumber(0, 65_535);

/** A MongoDB collection name as the container takes one in `QUEUE_COLLECTION`. */
export function collectionName(text: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(text))
    throw new InvalidArgumentError("may use only letters, digits, '_', '.' and '-' (1 to 100 characters)");
  return text;
}

/** `a,b, c` -> `['a', 'b', 'c']`; empty items are dropped. */
export function commaList(text: string): string[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('must name at least one item (comma-separated)');
  return items;
}

/** A comma-separated list of which each item must be one of `allowed`. */
export function listOf<T extends string>(allowed: readonly T[], what: string): (text: string) => T[] {
  return (text) => {
    const items = commaList(text);
    const unknown = items.find((item) => !(allowed as readonly string[]).includes(item));
    if (unknown !== undefined)
      throw new InvalidArgumentError(`unknown or unsupported ${what} '${unknown}' (valid: ${allowed.join(', ')})`);
    return items as T[];
  };
}

/** `250ms`, `90s`, `15m`, `24h`, `7d` (as the container's settings read them), or `0`. */
export function duration(text: string): number {
  const ms = text.trim() === '0' ? 0 : parseDuration(text);
  if (ms === null) throw new InvalidArgumentError('must be a duration such as 30m, 24h or 7d (or 0)');
  return ms;
}
