/**
 * Sesame's one JSON style, as functions every surface shares: snake_case keys, ISO 8601 times (null when absent), and
 * an event's `detail` an object. The public API, the account pages' download, the admin API and `sesame ... --json`
 * all write through these, so an event's facts read `sessions_ended` wherever they are shown.
 * @module
 */

/** An ISO 8601 time of epoch milliseconds; PostgreSQL hands bigints back as strings, so both are taken. */
export function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}

/** {@link iso}, or null for a time that has not happened (not disabled, never used, not sent). */
export function isoOrNull(ms: number | string | null): string | null {
  return ms === null ? null : iso(ms);
}

/** `sessionsEnded` as `sessions_ended`; a key already in snake_case is left as it is. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/**
 * A value with every object key in snake_case, at any depth: the facts of an event's detail, the counts of a purge and
 * the settings are written by code in camelCase, and printed here in the one style. Keys named in `verbatim` keep
 * their value as it is: they hold data keyed by the operator's own names (the replaced page texts), not fields.
 */
export function snakeKeys(value: unknown, verbatim: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(value)) return value.map((item) => snakeKeys(item, verbatim));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [snakeCase(key), verbatim.has(key) ? item : snakeKeys(item, verbatim)]));
}

/** An event's detail as an object in the one style: the audit table keeps it as a JSON string, the accounts service parsed. */
export function detailJson(detail: string | Readonly<Record<string, unknown>> | null): Record<string, unknown> | null {
  if (detail === null) return null;
  return snakeKeys(typeof detail === 'string' ? JSON.parse(detail) : detail) as Record<string, unknown>;
}
