/**
 * Runs the stores' own per-request lookups against a Kysely instance that records the SQL, so query plans are taken of exactly what the service sends.
 * @module
 */
import type { Dialect } from 'kysely';
import { Kysely } from 'kysely';
import type { Engine, EngineTraits } from '../src/kernel/database/storage.js';
import type { SesameTables } from '../src/kernel/database/tables.js';
import { hashToken } from '../src/kernel/tokens.js';
import { KyselySessionStore, NO_IDLE_CUTOFF } from '../src/modules/sessions/index.js';
import { KyselyUserStore } from '../src/modules/users/index.js';

/** A compiled query: its SQL text and its parameters. */
export interface CapturedQuery {
  /** Which lookup it is. */
  readonly query: string;
  /** SQL with placeholders. */
  readonly sql: string;
  /** The bound values. */
  readonly parameters: readonly unknown[];
}

/** Calls the stores' session lookup (`GET /profile`) and email lookup (login) once each and returns the SQL they ran. */
export async function captureHotQueries(dialect: Dialect, engine: Engine, email: string): Promise<CapturedQuery[]> {
  // Only what the two lookups consult: no prepared-statement path, so the session lookup goes through Kysely and is logged.
  const traits: EngineTraits = { engine, autoIncrementPrimaryKey: (column) => column, isUniqueViolation: () => false, rowLocks: engine === 'postgres', prepareRead: undefined };
  const seen: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const kysely = new Kysely<SesameTables>({
    dialect,
    log: (event) => {
      seen.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  try {
    await new KyselySessionStore(kysely, traits).findLive(hashToken('no-such-session'), Date.now(), NO_IDLE_CUTOFF);
    const sessionQuery = seen.at(-1);
    await new KyselyUserStore(kysely, traits).findByEmail(email);
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
