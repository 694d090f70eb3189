/**
 * Versioned schema migrations, applied at start-up so data survives restarts (the seed dropped everything instead).
 * The kernel knows no table: each module hands in its own migrations and this merges them into one ordered history.
 * @module
 */
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { EngineTraits, Storage } from './storage.js';

/**
 * A module's migrations, keyed by a name whose sort order is the apply order across every module (`0004_...`):
 * append, never edit a shipped one, and never reuse a number another module holds.
 */
export type MigrationSet = (traits: EngineTraits) => Record<string, Migration>;

/** Merges the modules' migrations into one record, refusing two migrations under one name. */
export function mergeMigrations(sets: readonly MigrationSet[], traits: EngineTraits): Record<string, Migration> {
  const merged: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set(traits))) {
      if (name in merged) throw new Error(`two modules ship a migration named ${name}`);
      merged[name] = migration;
    }
  }
  return merged;
}

/**
 * Applies every pending migration of the given sets (or, with `upTo`, those up to and including that one, which is
 * how a test builds an older schema); several processes may call it at once (Kysely takes a lock).
 */
export async function migrateToLatest(storage: Storage, sets: readonly MigrationSet[], options: { readonly upTo?: string } = {}): Promise<void> {
  const all = mergeMigrations(sets, storage.traits);
  const db = storage.kysely as unknown as Kysely<unknown>;
  // On PostgreSQL, pin Kysely's bookkeeping tables to the schema our tables go to: left unset, the migrator looks for
  // `kysely_migration` in *every* schema of the database, so another schema's copy (another app, another Sesame)
  // makes it skip creating ours and then fail on "relation kysely_migration_lock does not exist".
  const migrationTableSchema = storage.engine === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(all) },
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}

/** The schema unqualified names resolve to on this PostgreSQL connection (first existing one in `search_path`). */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
