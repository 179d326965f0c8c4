import { MAX_JOB_ID_LENGTH, MAX_JOB_NAME_LENGTH } from '../validate-schedule.js';

/**
 * Job ids and names that a careless or hostile caller sends, in classes: every
 * provider must either store and run each like any other id, or refuse it with
 * `ValidationError`, and give the same answer as every other provider. The contract
 * suite's hostile-identifier group runs them; the reliability suite draws from them.
 */

/**
 * Every key name Bull 4 keeps under `<prefix>:<queue>:` (and a few a later Bull or
 * BullMQ adds). As job ids they once addressed the queue's own keys: `active` stopped
 * the queue, `meta-paused` paused it, `wait` broke every later add.
 */
export const BULL_KEY_NAME_IDS: readonly string[] = [
  'active',
  'wait',
  'waiting',
  'paused',
  'resumed',
  'meta-paused',
  'meta',
  'id',
  'delayed',
  'priority',
  'stalled-check',
  'stalled',
  'completed',
  'failed',
  'repeat',
  'limiter',
  'drained',
  'duplicated',
  'debounced',
  'progress',
  'de',
  'metrics',
  'events',
  'marker',
  'prioritized',
  'pc',
  'logs',
  'lock',
];

/** Ids shaped like the keys Bull derives from other ids, or like ids Bull hands out itself. */
export const KEY_SHAPED_IDS: readonly string[] = [
  'x:lock',
  'x:logs',
  'repeat:x:1',
  'de:x',
  'metrics:completed',
  'y:1',
  'a/b',
  '/',
  '::',
  ':',
  'x:',
  ':x',
  '1',
  '42',
  '007',
  '~',
  '~x',
  '%3A',
  '%25',
  'a%3Ab',
  'booking:42:24h',
  '*',
  '?',
  '[a]',
  '{x}',
  '\\',
];

/** Pairs of ids that differ only in case or in Unicode normalisation: two jobs each, never one. */
export const LOOK_ALIKE_ID_PAIRS: readonly (readonly [string, string])[] = [
  ['Job-A', 'job-a'],
  ['café', 'cafe\u0301'], // NFC and NFD of the same word
  ['ﬁle', 'file'], // a ligature and its compatibility decomposition (NFKC)
  ['Straße', 'STRASSE'],
];

/** The longest id and name every provider must take, with characters of one, two and four UTF-8 bytes. */
export const LONGEST_JOB_ID = 'é€😀' + 'i'.repeat(MAX_JOB_ID_LENGTH - 4);
export const LONGEST_JOB_NAME = 'é€😀' + 'n'.repeat(MAX_JOB_NAME_LENGTH - 4);

/** Names that must work as any other name: `/` and Bull's key names included. */
export const ODD_BUT_VALID_NAMES: readonly string[] = [
  'reports/daily',
  'wait',
  'id',
  '~queue',
  '1',
  'jobs',
  'Email',
  'email',
];

/** Names and ids every provider refuses with `ValidationError`, with the reason. */
export const REFUSED_NAMES: readonly { name: string; why: string }[] = [
  { name: 'x:y', why: "':' separates the parts of Redis keys" },
  { name: 'a\u001b[31m', why: 'a terminal escape sequence' },
  { name: 'a\u009b31m', why: 'a C1 control character (CSI)' },
  { name: 'a\u202eb', why: 'a right-to-left override' },
  { name: 'n'.repeat(MAX_JOB_NAME_LENGTH + 1), why: 'one character over the longest name' },
];
export const REFUSED_IDS: readonly { id: string; why: string }[] = [
  { id: 'a\u001b]0;title\u0007', why: 'a terminal escape sequence' },
  { id: 'a\u007f', why: 'DEL' },
  { id: 'a\u0085', why: 'a C1 control character (NEL)' },
  { id: 'a\u2067b', why: 'a bidi isolate' },
  { id: 'i'.repeat(MAX_JOB_ID_LENGTH + 1), why: 'one character over the longest id' },
];
