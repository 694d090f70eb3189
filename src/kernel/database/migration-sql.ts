/**
 * The migrations as SQL text, for a host that applies schema changes with its own tools (and starts Sesame with
 * migrations off): every statement the migrator would run, under a table prefix, compiled by Kysely for one engine
 * without a database, values written in as literals, plus Kysely's bookkeeping so Sesame sees them as applied.
 * @module
 */
import {
  type CompiledQuery,
  Kysely,
  MIGRATION_LOCK_ID,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { mergeMigrations, migrationTableNames, prefixedMigrations, type MigrationSet } from './migrator.js';
import { engineTraits, type Engine } from './storage.js';
import { checkTablePrefix } from './table-prefix.js';

/** What {@link migrationStatements} compiles for. */
export interface MigrationSqlOptions {
  /** The engine the statements are for. */
  readonly engine: Engine;
  /** The table prefix Sesame will run with (default none; the Fastify plugin's default is `sesame_`). */
  readonly tablePrefix?: string;
  /** Only the migrations after this one (the last the database has), to upgrade it; default all of them. */
  readonly after?: string;
}

/**
 * The statements that bring an empty database (or, with `after`, one at that migration) to this version's schema,
 * in order, without a trailing semicolon; run them in one transaction. They end by recording each migration in
 * Kysely's table, so a start with migrations off finds the schema current and one with migrations on skips them.
 */
export async function migrationStatements(sets: readonly MigrationSet[], options: MigrationSqlOptions): Promise<string[]> {
  const tablePrefix = checkTablePrefix(options.tablePrefix ?? '');
  const merged = mergeMigrations(sets, engineTraits(options.engine));
  const names = Object.keys(merged).sort();
  const { after } = options;
  if (after !== undefined && !names.includes(after)) throw new Error(`there is no migration named ${JSON.stringify(after)}; the migrations are ${names.join(', ')}`);
  const migrations = prefixedMigrations(merged, tablePrefix);
  const driver = new RecordingDriver();
  const db = new Kysely<Record<string, Record<string, unknown>>>({ dialect: offlineDialect(options.engine, driver) });
  try {
    // The bookkeeping as Kysely's migrator creates it, so either way of applying the schema leaves the same tables.
    const { migrationTableName, migrationLockTableName } = migrationTableNames(tablePrefix);
    await db.schema
      .createTable(migrationTableName)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable(migrationLockTableName)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (c) => c.notNull().primaryKey())
      .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db
      .insertInto(migrationLockTableName)
      .values({ id: MIGRATION_LOCK_ID, is_locked: 0 })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    const timestamp = new Date().toISOString();
    for (const name of names.filter((candidate) => after === undefined || candidate > after)) {
      await migrations[name]?.up(db as Kysely<unknown>);
      await db.insertInto(migrationTableName).values({ name, timestamp }).execute();
    }
  } finally {
    await db.destroy();
  }
  return driver.statements;
}

/** Kysely's dialect for an engine, over a driver that only records: compiling needs the engine's rules, not a server. */
function offlineDialect(engine: Engine, driver: Driver): Dialect {
  return engine === 'sqlite'
    ? {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => driver,
        createQueryCompiler: () => new LiteralSqliteCompiler(),
        createIntrospector: (db) => new SqliteIntrospector(db),
      }
    : {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => driver,
        createQueryCompiler: () => new LiteralPostgresCompiler(),
        createIntrospector: (db) => new PostgresIntrospector(db),
      };
}

/** SQLite's compiler writing values as literals: a script has no parameters to bind (one migration stamps a time). */
class LiteralSqliteCompiler extends SqliteQueryCompiler {
  /** A literal instead of a placeholder. */
  protected override appendValue(value: unknown): void {
    this.appendImmediateValue(value);
  }
}

/** PostgreSQL's compiler writing values as literals, as {@link LiteralSqliteCompiler}. */
class LiteralPostgresCompiler extends PostgresQueryCompiler {
  /** A literal instead of a placeholder. */
  protected override appendValue(value: unknown): void {
    this.appendImmediateValue(value);
  }
}

/** A driver that keeps each statement's text and answers every one with no rows. */
class RecordingDriver implements Driver {
  /** The statements seen, in order. */
  readonly statements: string[] = [];
  readonly #connection: DatabaseConnection = {
    executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      this.statements.push(query.sql.trim());
      return Promise.resolve({ rows: [] });
    },
    streamQuery: () => {
      throw new Error('migrations do not stream');
    },
  };

  /** Nothing to open. */
  init(): Promise<void> {
    return Promise.resolve();
  }

  /** The one recording connection. */
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(this.#connection);
  }

  /** A migration that opens its own transaction records nothing for it: the caller runs the script in one. */
  beginTransaction(): Promise<void> {
    return Promise.resolve();
  }

  /** See {@link RecordingDriver.beginTransaction}. */
  commitTransaction(): Promise<void> {
    return Promise.resolve();
  }

  /** See {@link RecordingDriver.beginTransaction}. */
  rollbackTransaction(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release. */
  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to close. */
  destroy(): Promise<void> {
    return Promise.resolve();
  }
}
