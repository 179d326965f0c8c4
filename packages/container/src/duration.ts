const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m` -> 900000; `90s`, `24h`, `3d`, `250ms`. Returns null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  return match === null ? null : Number(match[1]) * UNIT_MS[match[2]!]!;
}
