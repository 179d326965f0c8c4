/**
 * `2030-01-31T09:30:00Z`, `2030-01-31T09:30:00.250+01:00`: an ISO 8601 date-time with
 * seconds optional, fractions optional and the offset required (a time without one
 * would mean a different instant on every server). Years beyond 0000..9999 take the
 * expanded form `toISOString` writes for them (`+275760`, `-000001`).
 */
const ISO_DATE_TIME =
  /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant an ISO 8601 date-time names, or null when the text is not one.
 *
 * Stricter than `Date.parse`, which reads `"5"` as the year 2005 and rolls
 * `2030-02-30` over to 2 March: every field must be in range for its calendar date.
 */
export function parseIsoDateTime(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '0', zone, sign, offsetHours, offsetMinutes] =
    match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (year === '-000000') return null; // ISO 8601 has no negative zero year
  const wallClock = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  wallClock.setUTCFullYear(y); // Date.UTC maps years 0..99 onto 1900..1999
  const inRange =
    wallClock.getUTCFullYear() === y &&
    wallClock.getUTCMonth() === mo - 1 &&
    wallClock.getUTCDate() === d &&
    wallClock.getUTCHours() === h &&
    wallClock.getUTCMinutes() === mi &&
    wallClock.getUTCSeconds() === s;
  if (!inRange) return null;
  let offsetMs = 0;
  if (zone !== 'Z') {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return null;
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const instant = new Date(wallClock.getTime() + Number(fraction.padEnd(3, '0').slice(0, 3)) - offsetMs);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
