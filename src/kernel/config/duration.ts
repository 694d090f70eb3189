/**
 * Duration settings such as `SESSION_TTL=7d`, so operators need not count seconds.
 * @module
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90`, `90s`, `15m`, `12h`, `7d` or `250ms` into milliseconds (a bare number is seconds); null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (match === null) return null;
  const value = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
  return Number.isSafeInteger(value) ? value : null;
}
