/**
 * Named (server-side prepared) statements for every parameterised query on a node-postgres connection. node-postgres
 * sends a query without a name as an unnamed statement, which PostgreSQL parses and plans again on every execution:
 * for the per-request session lookup that was most of the database's CPU. A name makes PostgreSQL keep the parsed
 * statement (and, after a few runs, a generic plan) for the life of the connection. Kysely has no option for it, so
 * each pooled connection's `query` is wrapped once, when the pool opens it, and Kysely, the rate-limit store and the
 * session lookup all benefit without knowing.
 * @module
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Most distinct SQL texts given a name. Sesame's queries come from a fixed set of shapes (a few dozen); the cap keeps
 * a caller that generates unbounded distinct SQL (IN lists of varying length) from growing every connection's set of
 * prepared statements without limit: past it, new texts run unnamed.
 */
export const MAX_NAMED_STATEMENTS = 500;

/** SQL text to statement name, shared by all connections (a name is a function of the text and its generation). */
const names = new Map<string, string>();

/** How many times a text's statement was retired (see {@link prepareEveryQuery}); absent for never. */
const generations = new Map<string, number>();

/**
 * The statement name for a SQL text, or undefined once {@link MAX_NAMED_STATEMENTS} texts are named. The name is a
 * hash of the text (node-postgres refuses to reuse a name for another text on a connection, and a hash cannot),
 * plus its generation once it has been retired.
 */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED_STATEMENTS) return undefined;
    const generation = generations.get(text);
    name = `sesame_${createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 24)}${generation === undefined ? '' : `_${generation}`}`;
    names.set(text, name);
  }
  return name;
}

/**
 * True for PostgreSQL's refusal to run a prepared statement whose result columns changed under it (a migration
 * added a column to a table a `select *` reads, while this process kept the statement prepared).
 */
function isStaleStatement(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));
}

/**
 * Gives a text a fresh name on every connection. PostgreSQL keeps refusing a stale statement for the life of the
 * connection, so renaming is what makes the next execution prepare it again; the old one is freed with its connection.
 */
function retire(text: string): void {
  if (names.delete(text)) generations.set(text, (generations.get(text) ?? 0) + 1);
}

/** The node-postgres `client.query` overloads, loosely: a text or a config object, values, and an optional callback. */
type QueryFunction = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Makes `client` send every query that has a text and at least one value as a named statement. Queries without
 * values (`begin`, `commit`, DDL) stay on the simple protocol, and config objects (cursors, queries already named)
 * pass through unchanged. A statement gone stale under a migration fails once (that query's caller sees the error)
 * and is prepared afresh under a new name from the next execution on.
 */
export function prepareEveryQuery(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFunction;
  const named: QueryFunction = (config, values, callback) => {
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) return query(config, values, callback);
    const name = statementName(config);
    if (name === undefined) return query(config, values, callback);
    const prepared = { name, text: config, values };
    const noticeStale = (error: unknown): void => {
      if (isStaleStatement(error)) retire(config);
    };
    if (typeof callback === 'function') {
      return query(prepared, (error: unknown, result: unknown) => {
        if (error) noticeStale(error);
        (callback as (error: unknown, result: unknown) => void)(error, result);
      });
    }
    const result = query(prepared) as Promise<unknown>;
    // A side branch only watches for the stale statement; the caller still receives the rejection on `result`.
    result.then(undefined, noticeStale);
    return result;
  };
  (client as unknown as { query: QueryFunction }).query = named;
}

/**
 * The opposite, for `DATABASE_PREPARED_STATEMENTS=false`: makes `client` send every query unnamed, including those a
 * library names itself (the database rate-limit store does), since behind a pooler in transaction mode a statement
 * prepared on one server connection is missing, or already present, on the next.
 */
export function prepareNoQuery(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFunction;
  const unnamed: QueryFunction = (config, values, callback) => {
    if (typeof config === 'object' && config !== null && 'name' in config && 'text' in config && !('submit' in config)) {
      const unnamedConfig: Record<string, unknown> = { ...(config as Record<string, unknown>) };
      delete unnamedConfig['name'];
      return query(unnamedConfig, values, callback);
    }
    return query(config, values, callback);
  };
  (client as unknown as { query: QueryFunction }).query = unnamed;
}
