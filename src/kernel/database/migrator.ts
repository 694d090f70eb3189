/**
 * Versioned schema migrations, applied at start-up so data survives restarts (the seed dropped everything instead).
 * The kernel knows no table: each module hands in its own migrations and this merges them into one ordered history,
 * applies it under the storage's table prefix, or, for a host that applies the SQL itself, only checks it.
 * @module
 */
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { isDatabaseUnavailable } from './faults.js';
import type { EngineTraits, Storage } from './storage.js';
import { TablePrefixPlugin } from './table-prefix.js';

/**
 * A module's migrations, keyed by a name whose sort order is the apply order across every module (`0004_...`):
 * append, never edit a shipped one, and never reuse a number another module holds. A migration names its tables
 * plainly; the table prefix is added around it, so raw SQL in one must name tables with `sql.table` / `sql.ref`.
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
 * Kysely's bookkeeping tables under a prefix: a host with its own Kysely migrator keeps its `kysely_migration`, and
 * Sesame's history never mixes with it.
 */
export function migrationTableNames(tablePrefix: string): { readonly migrationTableName: string; readonly migrationLockTableName: string } {
  return { migrationTableName: `${tablePrefix}kysely_migration`, migrationLockTableName: `${tablePrefix}kysely_migration_lock` };
}

/**
 * The migrations with the table prefix put around each: they run on the migrator's own connection or transaction,
 * seen through the prefix plugin. (The migrator itself must not see it: it names its tables already prefixed, and
 * Kysely's introspection queries of the engine's catalogue would be rewritten too.)
 */
export function prefixedMigrations(migrations: Record<string, Migration>, tablePrefix: string): Record<string, Migration> {
  if (tablePrefix === '') return migrations;
  const plugin = new TablePrefixPlugin(tablePrefix);
  const wrapped: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(migrations)) {
    const { down } = migration;
    wrapped[name] = {
      up: (db) => migration.up(db.withPlugin(plugin)),
      ...(down === undefined ? {} : { down: (db: Kysely<unknown>) => down(db.withPlugin(plugin)) }),
    };
  }
  return wrapped;
}

/**
 * Applies every pending migration of the given sets (or, with `upTo`, those up to and including that one, which is
 * how a test builds an older schema); several processes may call it at once (Kysely takes a lock). All pending
 * migrations and their bookkeeping rows commit together or not at all, on both engines.
 */
export async function migrateToLatest(storage: Storage, sets: readonly MigrationSet[], options: { readonly upTo?: string } = {}): Promise<void> {
  const all = prefixedMigrations(mergeMigrations(sets, storage.traits), storage.tablePrefix);
  const db = storage.kysely.withoutPlugins() as unknown as Kysely<unknown>;
  // On PostgreSQL, pin Kysely's bookkeeping tables to the schema our tables go to: left unset, the migrator looks for
  // `kysely_migration` in *every* schema of the database, so another schema's copy (another app, another Sesame)
  // makes it skip creating ours and then fail on "relation kysely_migration_lock does not exist".
  const migrationTableSchema = storage.engine === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(all) },
    ...migrationTableNames(storage.tablePrefix),
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const run = () => (options.upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(options.upTo));
  let { error, results } = await run();
  for (let attempt = 1; attempt <= 3 && isOtherSchemaVanishing(error, migrationTableSchema); attempt += 1) {
    await new Promise((wake) => setTimeout(wake, 50 * attempt));
    ({ error, results } = await run());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}

/**
 * Start-up found the schema at another version than this Sesame's (with migrations off, so it would not fix it):
 * `missing` are migrations not applied yet, `unknown` ones applied by a newer Sesame. The message says what to run.
 */
export class SchemaVersionError extends Error {
  /** Migrations this Sesame needs that the database lacks, in order. */
  readonly missing: readonly string[];
  /** Migrations the database has that this Sesame does not know (it was migrated by a newer version). */
  readonly unknown: readonly string[];

  /** Builds the error with its message and the two lists. */
  constructor(message: string, missing: readonly string[], unknown: readonly string[], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SchemaVersionError';
    this.missing = missing;
    this.unknown = unknown;
  }
}

/**
 * Checks, without changing anything, that every migration of the sets is applied and none unknown is: what start-up
 * does instead of migrating when the host applies Sesame's SQL itself. Throws a {@link SchemaVersionError} saying
 * which `migrationSql` call brings the database up to date.
 */
export async function checkMigrated(storage: Storage, sets: readonly MigrationSet[]): Promise<void> {
  const expected = Object.keys(mergeMigrations(sets, storage.traits)).sort();
  const db = storage.kysely.withoutPlugins() as unknown as Kysely<Record<string, { name: string }>>;
  const { migrationTableName } = migrationTableNames(storage.tablePrefix);
  const generate = (after?: string): string =>
    `migrationSql({ engine: '${storage.engine}', tablePrefix: '${storage.tablePrefix}'${after === undefined ? '' : `, after: '${after}'`} })`;
  let applied: string[];
  try {
    // The migrator pins its table to the current schema on PostgreSQL; look there too, not along the search path.
    const schema = storage.engine === 'postgres' ? await currentSchema(db as unknown as Kysely<unknown>) : undefined;
    const scoped = schema === undefined ? db : db.withSchema(schema);
    applied = (await scoped.selectFrom(migrationTableName).select('name').execute()).map((row) => row.name).sort();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    throw new SchemaVersionError(
      `the database has no Sesame schema (no ${migrationTableName} table) and migrations are off (migrate: false): ` +
        `apply the statements of ${generate()} first, or start once with migrations on`,
      expected,
      [],
      error,
    );
  }
  const unknown = applied.filter((name) => !expected.includes(name));
  if (unknown.length > 0) {
    throw new SchemaVersionError(
      `the database's Sesame schema is newer than this Sesame: it has migrations ${unknown.join(', ')}, which this version does not know; run the newer Sesame`,
      [],
      unknown,
    );
  }
  const missing = expected.filter((name) => !applied.includes(name));
  if (missing.length > 0) {
    const last = applied.at(-1);
    throw new SchemaVersionError(
      `the database's Sesame schema is behind this Sesame: migrations ${missing.join(', ')} are not applied and migrations are off (migrate: false): ` +
        `apply the statements of ${generate(last)} first, or start once with migrations on`,
      missing,
      [],
    );
  }
}

/**
 * Whether a failed migration run only met another client dropping its own objects while Kysely read the catalogue.
 * Kysely's migrator lists the tables of *every* schema to find its bookkeeping tables; a schema another client drops
 * in that instant (another application, or parallel test suites) fails the read with "schema ... does not exist"
 * (3F000), a table dropped in that instant fails it with "relation "other_schema.table" does not exist" (42P01,
 * from the catalogue functions that resolve names after the scan saw the row), and a column altered in that instant
 * with "column ... does not exist" (42703) from the serial-sequence lookup. Nothing was applied then (the run is
 * one transaction), so trying again is safe. A missing relation of our own schema, or an unqualified one, is a real
 * fault and is not retried.
 */
export function isOtherSchemaVanishing(error: unknown, ownSchema: string | undefined): boolean {
  if (error === undefined || error === null || typeof error !== 'object') return false;
  const { code, message, routine } = error as { code?: unknown; message?: unknown; routine?: unknown };
  if (code === '3F000') return true;
  // A column another client drops or renames in its own schema, met by the same catalogue read (the serial-sequence
  // lookup Kysely makes for every column it lists); a missing column in a migration's own SQL is reported elsewhere.
  if (code === '42703' && routine === 'pg_get_serial_sequence') return true;
  if (code !== '42P01' || typeof message !== 'string') return false;
  const qualified = /relation "([^".]+)\.[^"]+" does not exist/.exec(message);
  return qualified !== null && qualified[1] !== ownSchema;
}

/** The schema the unqualified names resolve to on this PostgreSQL connection (first existing one in `search_path`). */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
