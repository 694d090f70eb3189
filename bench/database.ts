/**
 * The bench's database: a fresh SQLite file or PostgreSQL schema, migrated by the service's own code, seeded in bulk and explained; one interface over both engines.
 * @module
 */
import { openStorage } from '../src/sesame.js';
import { openPostgresBench } from './postgres-db.js';
import { openSqliteBench } from './sqlite-db.js';

/** One line of a query plan, with the query it explains. */
export interface PlanReport {
  /** Which lookup (e.g. `GET /profile: session → user`). */
  readonly query: string;
  /** The SQL the DB layer sends, as Kysely compiled it. */
  readonly sql: string;
  /** The engine's plan, one line per step. */
  readonly plan: readonly string[];
}

/** Engine-specific operations on the bench database. */
export interface BenchDatabase {
  /** `DATABASE_URL` for the server. */
  readonly url: string;
  /** Users currently seeded by the bench (the bench user is number 1). */
  readonly seeded: number;
  /** Inserts users (and one live session each) until `total` seeded users exist, in bulk, beside the API. */
  seedTo(total: number, hashedPassword: string): Promise<void>;
  /**
   * Plans of the per-request queries (`GET /profile`'s session lookup, login's email lookup), as the DB layer writes
   * them; on PostgreSQL run (`EXPLAIN (ANALYZE, BUFFERS)`) with a live session's id hash.
   */
  explain(): Promise<PlanReport[]>;
  /** PostgreSQL: the session lookup's SQL and a live session's id hash of seeded user `n`, for the bare-query route. */
  queryReference?(n: number): Promise<{ readonly sql: string; readonly idHash: string }>;
  /** Removes the database (file or schema). */
  drop(): Promise<void>;
}

/** The email of seeded user number `n` (1-based); every seeded user has the same password. */
export function seededEmail(n: number): string {
  return `bench-${n}@bench.test`;
}

/** Creates an empty database on the chosen engine (a SQLite file `<name>.db` in `tempDir`, or a fresh schema) and migrates it. */
export async function createBenchDatabase(engine: 'sqlite' | 'postgres', tempDir: string, name: string): Promise<BenchDatabase> {
  const db = engine === 'sqlite' ? openSqliteBench(tempDir, name) : await openPostgresBench();
  try {
    const storage = await openStorage(db.url);
    await storage.close();
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}
