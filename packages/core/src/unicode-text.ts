/**
 * Checks on text that every job passes through (names, ids, data strings and keys),
 * written without regular expressions: `/\p{Cs}/u.test` cost about 200 ns a string
 * here, `isWellFormed` a few.
 */

/** True when `text` holds a UTF-16 surrogate without its pair: no UTF-8 store (MongoDB's BSON) can keep it. */
export function hasLoneSurrogate(text: string): boolean {
  return !text.isWellFormed();
}

/**
 * True when `text` holds a control character: C0 (U+0000 to U+001F), DEL (U+007F) or
 * C1 (U+0080 to U+009F). Names and ids end up in terminals (the CLI, logs, `redis-cli`)
 * where ESC (U+001B) and CSI (U+009B) start escape sequences that can rewrite the
 * screen.
 */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * True when `text` holds a bidirectional formatting character: the embeddings and
 * overrides U+202A to U+202E, the isolates U+2066 to U+2069, and the marks U+200E,
 * U+200F and U+061C. They make a name or an id display as another one (the
 * "Trojan Source" trick) in the dashboard, the CLI's tables and logs.
 */
export function hasBidiControl(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      code === 0x200e ||
      code === 0x200f ||
      code === 0x061c
    ) {
      return true;
    }
  }
  return false;
}
