/**
 * How the `sesame` commands write for people, without `--json`: aligned columns for lists and `key: value` lines for
 * one thing, from the same JSON objects `--json` prints (so both show the same fields under the same names), never
 * raw JSON. A value is shown as it is, a missing one as `-`, and a string holding a control character JSON-quoted,
 * so a stored value cannot garble the terminal.
 * @module
 */

/** A JSON value as one cell or one value of a line. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return /\p{Cc}/u.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(', ');
  return facts(value as Record<string, unknown>);
}

/** An object of facts (an event's detail, a delivery) as `key=value` pairs on one line, or `-` for none. */
export function facts(value: Readonly<Record<string, unknown>> | null): string {
  if (value === null) return '-';
  const pairs = Object.entries(value).map(([key, item]) => `${key}=${item !== null && typeof item === 'object' ? JSON.stringify(item) : cell(item)}`);
  return pairs.length === 0 ? '-' : pairs.join(' ');
}

/** Rows under a header, each column as wide as its widest cell, two spaces apart; the last column is not padded. */
export function columns(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = [header.map(String), ...rows.map((row) => row.map(cell))];
  const widths = header.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  return cells.map((row) => row.map((text, index) => (index === row.length - 1 ? text : text.padEnd(widths[index] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** The fields of one object as `key: value` lines, the values aligned; nested objects as dotted keys. */
export function fields(value: Readonly<Record<string, unknown>>, prefix = ''): string {
  const lines = flatten(value, prefix);
  const width = Math.max(0, ...lines.map(([key]) => key.length));
  return lines.map(([key, item]) => `${`${key}:`.padEnd(width + 1)} ${cell(item)}`).join('\n');
}

/** `[dotted key, scalar or array]` pairs of an object, depth first. */
function flatten(value: Readonly<Record<string, unknown>>, prefix: string): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([key, item]): Array<[string, unknown]> =>
    item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 ? flatten(item as Record<string, unknown>, `${prefix}${key}.`) : [[`${prefix}${key}`, item]],
  );
}

/** A titled list: `title (n):` then the table indented, or `title: none`. */
export function section(title: string, header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  if (rows.length === 0) return `${title}: none`;
  return `${title} (${rows.length}):\n${columns(header, rows)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}
