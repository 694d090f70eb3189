/**
 * How a `sesame` command opens the database. A read-only command (`users list|show`, `audit tail`, `admin-tokens
 * list`, `migrate --dry-run`, `backup`) opens an existing database without migrating and without creating a file, a
 * schema or a secret: pointed at the wrong place (a missing file, an unmigrated database, a host's database under the
 * wrong prefix) it must say so, not leave an empty Sesame behind. A writing command migrates as the server does, but
 * never into a database whose catalogue shows Sesame's tables under another prefix only, or another application's
 * Kysely history under this one: it names the prefix to use instead of creating a second set of tables.
 * @module
 */
import { existsSync } from 'node:fs';
import { surveySchemas, type SchemaSurvey } from '../../kernel/database/schema-survey.js';
import { connectStorage, engineOf, sqlitePath, type Storage, type StorageOptions } from '../../kernel/database/storage.js';
import type { DatabaseConfig } from '../../kernel/settings.js';
import { MIGRATIONS, openStorage, SchemaVersionError } from '../../sesame.js';
import { CommandError, EXIT } from './exit.js';

/** Whether a command only reads the database, or may change it (and so may migrate it first). */
export type Access = 'read-only' | 'read-write';

/** The storage knobs of the settings, as the server opens its database with them. */
export function storageOptions(database: DatabaseConfig): StorageOptions & { readonly startupWaitMs: number } {
  return {
    connectTimeoutMs: database.connectTimeoutMs,
    statementTimeoutMs: database.statementTimeoutMs,
    idleTimeoutMs: database.idleTimeoutMs,
    startupWaitMs: database.startupWaitMs,
    busyTimeoutMs: database.busyTimeoutMs,
    poolSize: database.poolSize,
    preparedStatements: database.preparedStatements,
    tablePrefix: database.tablePrefix,
  };
}

/** The SQLite file the settings name when it does not exist (yet), else undefined (it exists, or the engine is PostgreSQL). */
export function missingSqliteFile(database: DatabaseConfig): string | undefined {
  if (engineOf(database.url) !== 'sqlite') return undefined;
  const path = sqlitePath(database.url);
  return path !== ':memory:' && !existsSync(path) ? path : undefined;
}

/** Exit 5 for a SQLite file that does not exist: a command that only reads must not create it. */
export function refuseMissingFile(database: DatabaseConfig): void {
  const missing = missingSqliteFile(database);
  if (missing !== undefined) throw new CommandError(`no database at ${missing}: run sesame migrate (or start the server) first; nothing was created`, EXIT.notMigrated);
}

/** A prefix as a message names it. */
function shown(prefix: string): string {
  return prefix === '' ? 'no prefix' : `the prefix ${JSON.stringify(prefix)}`;
}

/**
 * The refusal a survey calls for under the settings' prefix, or undefined: Sesame's tables under other prefixes only
 * (the operator forgot `DATABASE_TABLE_PREFIX`, or gave another), or another application's Kysely history under it.
 */
export function prefixRefusal(prefix: string, survey: SchemaSurvey): CommandError | undefined {
  if (survey.prefixes.includes(prefix)) return undefined;
  const [other] = survey.prefixes;
  if (other !== undefined) {
    const use = other === '' ? 'unset DATABASE_TABLE_PREFIX and give no --table-prefix' : `set DATABASE_TABLE_PREFIX=${other} or --table-prefix ${other}`;
    return new CommandError(
      `the database holds Sesame's tables under ${survey.prefixes.map(shown).join(' and ')}, not under ${shown(prefix)}: ${use}; nothing was created or changed`,
      EXIT.usage,
    );
  }
  if (survey.foreign) {
    return new CommandError(
      `${prefix}kysely_migration is another application's migration history, which Sesame must not write into: give Sesame a table prefix of its own ` +
        '(DATABASE_TABLE_PREFIX=sesame_ or --table-prefix sesame_); nothing was created or changed',
      EXIT.usage,
    );
  }
  return undefined;
}

/** Reads the catalogue on a short-lived read-only connection (the database has just answered). */
async function survey(database: DatabaseConfig): Promise<SchemaSurvey> {
  const storage = connectStorage(database.url, { ...storageOptions(database), readOnly: true });
  try {
    return await surveySchemas(storage, MIGRATIONS);
  } finally {
    await storage.close();
  }
}

/** A failure to open as a one-line command error: a PostgreSQL database that does not exist is "missing", the rest failed. */
function openFailure(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // 3D000: the database the URL names does not exist on the server (not a fault to wait out, so it comes unwrapped).
  if ((error as { code?: unknown }).code === '3D000') return new CommandError(`${message}: create it, then run sesame migrate`, EXIT.notMigrated);
  return new CommandError(message, EXIT.failed);
}

/** What {@link inspect} found when the schema under the prefix is not this version's: the checker's error, and the catalogue. */
export interface SchemaMismatch {
  /** The migrations missing or unknown under the settings' prefix. */
  readonly error: SchemaVersionError;
  /** The prefixes under which the catalogue shows Sesame's tables. */
  readonly survey: SchemaSurvey;
}

/**
 * Opens an existing database read-only and checks its schema under the settings' prefix: the storage when it is this
 * version's; otherwise, after refusing (exit 2) a database that holds Sesame's tables under other prefixes only or
 * another application's Kysely history under this one, what is missing or unknown. Changes nothing.
 */
export async function inspect(database: DatabaseConfig): Promise<Storage | SchemaMismatch> {
  try {
    return await openStorage(database.url, { ...storageOptions(database), readOnly: true, migrate: false });
  } catch (error) {
    if (!(error instanceof SchemaVersionError)) throw openFailure(error);
    const found = await survey(database).catch((failure: unknown) => {
      throw openFailure(failure);
    });
    const refusal = prefixRefusal(database.tablePrefix, found);
    if (refusal !== undefined) throw refusal;
    return { error, survey: found };
  }
}

/**
 * Opens the database read-only at this version's schema, under the settings' prefix: the way every read-only command
 * opens it. A missing SQLite file, no Sesame schema, one behind or ahead of this Sesame: exit 5 saying what to run; a
 * database with Sesame's tables under another prefix only: exit 2 naming it. Nothing is created, migrated or written.
 */
export async function openForReading(database: DatabaseConfig): Promise<Storage> {
  refuseMissingFile(database);
  const opened = await inspect(database);
  if (!('error' in opened)) return opened;
  const { error, survey: found } = opened;
  if (error.unknown.length > 0) {
    throw new CommandError(`the database was migrated by a newer Sesame (${error.unknown.join(', ')}): use the newer Sesame's command`, EXIT.notMigrated);
  }
  if (!found.prefixes.includes(database.tablePrefix)) {
    throw new CommandError(`the database has no Sesame schema under ${shown(database.tablePrefix)}: run sesame migrate first (or set DATABASE_TABLE_PREFIX if it has one)`, EXIT.notMigrated);
  }
  throw new CommandError(`the database's Sesame schema is behind this Sesame (${error.missing.join(', ')} not applied): run sesame migrate first`, EXIT.notMigrated);
}

/**
 * Before a writing command migrates: refuses (exit 2) a database whose catalogue shows Sesame's tables under other
 * prefixes only, or another application's Kysely history under this one. It looks on a read-only connection, so a
 * refused database is left exactly as it was (a SQLite file's journal mode included); a SQLite file not there yet
 * has nothing to refuse, and is created by the migration as it always was.
 */
export async function refuseOtherPrefixes(database: DatabaseConfig): Promise<void> {
  if (missingSqliteFile(database) !== undefined) return;
  const opened = await inspect(database);
  if (!('error' in opened)) await opened.close();
}
