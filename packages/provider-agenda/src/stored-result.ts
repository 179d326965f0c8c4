/**
 * What a processor returned is kept as a JSON string, the same rule as every other
 * provider (a result reads back as it would through JSON), and a string because
 * BSON refuses some values JSON takes (keys such as `$set`, or a value over the
 * document size once nested in the job). Undefined (no result) is not stored.
 */
export function toResultJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    // Circular or BigInt: keep something a person can read rather than fail a job that succeeded.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- that something is String()
    return JSON.stringify(String(value));
  }
}

export function fromResultJson(json: unknown): unknown {
  if (typeof json !== 'string') return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}
