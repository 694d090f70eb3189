/**
 * The one JSON style of the admin API and `sesame --json`, as a check that walks a whole answer: every key in
 * snake_case, every `*_at` an ISO 8601 time (UTC, milliseconds, `Z`) or null, and every `detail` an object or null,
 * never a JSON string inside the JSON. Tests run every admin route's and every `--json` command's output through it.
 * @module
 */
import { expect } from 'vitest';

/** A key in snake_case: lower-case words of letters and digits joined by single underscores. */
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** An ISO 8601 time as `Date.prototype.toISOString` writes it. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What the walk may skip: keys whose value is the operator's own data (page texts keyed by their ids). */
export interface StyleOptions {
  readonly verbatim?: ReadonlySet<string>;
}

/** Every breach of the style in `value`, each as `path: what is wrong`; empty when it keeps the style. */
export function jsonStyleProblems(value: unknown, options: StyleOptions = {}, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => jsonStyleProblems(item, options, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (!SNAKE.test(key)) problems.push(`${at}: key is not snake_case`);
    if (key.endsWith('_at') && item !== null && !(typeof item === 'string' && ISO.test(item) && new Date(item).toISOString() === item)) {
      problems.push(`${at}: ${JSON.stringify(item)} is not an ISO 8601 time or null`);
    }
    if (key === 'detail' && item !== null && (typeof item !== 'object' || Array.isArray(item))) problems.push(`${at}: ${JSON.stringify(item)} is not an object or null`);
    if (!options.verbatim?.has(key)) problems.push(...jsonStyleProblems(item, options, at));
  }
  return problems;
}

/** Fails the test, naming every breach, unless `value` keeps the style. */
export function expectJsonStyle(value: unknown, where: string, options: StyleOptions = {}): void {
  expect(jsonStyleProblems(value, options), where).toEqual([]);
}
