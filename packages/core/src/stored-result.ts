/**
 * What a processor returned, as Bull and Agenda would store it: through JSON. Keeping
 * the same rule here means a result reads back the same on every provider.
 */
export function toStoredResult(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? undefined : JSON.parse(json);
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- circular or BigInt: String() is what a person can still read
    return String(value);
  }
}
