/**
 * Runs the DB layer's own per-request lookups against a Kysely instance that records the SQL, so query plans are taken of exactly what the service sends.
 * @module
 */
import type { Dialect } from 'kysely';
import { Kysely } from 'kysely';
import { hashToken } from '../src/auth/tokens.js';
import { DB } from '../src/db/db.js';
import type { Database } from '../src/db/schema.js';

/** A compiled query: its SQL text and its parameters. */
export interface CapturedQuery {
  /** Which lookup it is. */
  readonly query: string;
  /** SQL with placeholders. */
  readonly sql: string;
  /** The bound values. */
  readonly parameters: readonly unknown[];
}

/** Calls the DB layer's session lookup (`GET /profile`) and email lookup (login) once each and returns the SQL they ran. */
export async function captureHotQueries(dialect: Dialect, email: string): Promise<CapturedQuery[]> {
  const seen: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const kysely = new Kysely<Database>({
    dialect,
    log: (event) => {
      seen.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  try {
    const db = new DB(kysely);
    await db.findUserBySessionHash(hashToken('no-such-session'), Date.now());
    const sessionQuery = seen.at(-1);
    await db.findUserBy({ email });
    const emailQuery = seen.at(-1);
    if (sessionQuery === undefined || emailQuery === undefined) throw new Error('bench: Kysely logged no query');
    return [
      { query: 'GET /profile: session id hash → user', ...sessionQuery },
      { query: 'POST /sessions: email → user', ...emailQuery },
    ];
  } finally {
    await kysely.destroy();
  }
}
