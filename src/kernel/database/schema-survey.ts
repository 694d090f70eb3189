/**
 * Where in a database Sesame's schema lives: the table prefixes under which the engine's catalogue shows a Sesame
 * migration history. The CLI asks before it uses a database it was pointed at, so a wrong prefix (or none, on a host's
 * database) is named instead of a second, empty set of Sesame's tables being created beside the first.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import { isDatabaseUnavailable } from './faults.js';
import { mergeMigrations, type MigrationSet } from './migrator.js';
import type { Storage } from './storage.js';
import { tablePrefixProblem } from './table-prefix.js';

/** What {@link surveySchemas} found. */
export interface SchemaSurvey {
  /** Every prefix whose `<prefix>kysely_migration` records at least one of Sesame's migrations, sorted (`''`: none). */
  readonly prefixes: readonly string[];
  /**
   * `<tablePrefix>kysely_migration` (the storage's own prefix) exists and records migrations, none of them Sesame's:
   * another application's Kysely history, which Sesame's migrator must not write into.
   */
  readonly foreign: boolean;
}

/** Kysely's bookkeeping table, which every Sesame schema has under its prefix. */
const MIGRATION_TABLE = 'kysely_migration';

/**
 * Reads the catalogue (`sqlite_master`, or `information_schema.tables` of the current schema on PostgreSQL, where the
 * migrator keeps its tables) for `<prefix>kysely_migration` tables, and each one's migration names: a table is
 * Sesame's when it records one of the migrations of `sets` (a newer Sesame's history still holds the older ones), so
 * a host's own Kysely history is never mistaken for it. Only reads.
 */
export async function surveySchemas(storage: Storage, sets: readonly MigrationSet[]): Promise<SchemaSurvey> {
  const known = new Set(Object.keys(mergeMigrations(sets, storage.traits)));
  // The catalogue and the bookkeeping tables are named in full: the prefix plugin must not rewrite them.
  const db = storage.kysely.withoutPlugins() as unknown as Kysely<unknown>;
  const { rows: tables } =
    storage.engine === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db);
  const prefixes: string[] = [];
  let foreign = false;
  for (const { name: table } of tables) {
    if (!table.endsWith(MIGRATION_TABLE)) continue;
    const prefix = table.slice(0, -MIGRATION_TABLE.length);
    // A name no prefix could produce (`my-app_kysely_migration`) is not one of Sesame's.
    if (tablePrefixProblem(prefix) !== undefined) continue;
    let names: string[];
    try {
      names = (await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db)).rows.map((row) => row.name);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      // A table of that name without Kysely's columns: someone else's, under the name Sesame's migrator would use.
      names = [''];
    }
    if (names.some((name) => known.has(name))) prefixes.push(prefix);
    else if (prefix === storage.tablePrefix && names.length > 0) foreign = true;
  }
  return { prefixes: prefixes.sort(), foreign };
}
