/**
 * `sesame migrate [--dry-run]`: brings the database's schema up to date on its own, before a deployment starts the
 * new version (so several instances never race at start), or with `--dry-run` prints the plan (the pending
 * migrations and their SQL) and changes nothing: it reads the schema on a read-only connection, and for a SQLite file
 * not there yet plans every migration without creating it.
 * @module
 */
import { engineOf, engineTraits, type Engine } from '../../kernel/database/storage.js';
import type { DatabaseConfig } from '../../kernel/settings.js';
import { mergeMigrations } from '../../kernel/database/migrator.js';
import { MIGRATIONS, migrationSql, openStorage } from '../../sesame.js';
import { inspect, missingSqliteFile, storageOptions } from './database.js';
import { EXIT, CommandError, settingsFromEnvironment, type Output } from './io.js';

/**
 * The migrations the database lacks, in order, read without changing anything; every one for a SQLite file not there
 * yet. A database holding Sesame's tables under another prefix only is refused (exit 2) rather than planned or
 * migrated afresh, by the dry run and the migration alike.
 */
async function pending(database: DatabaseConfig, engine: Engine): Promise<readonly string[]> {
  if (missingSqliteFile(database) !== undefined) return Object.keys(mergeMigrations(MIGRATIONS, engineTraits(engine))).sort();
  const opened = await inspect(database);
  if (!('error' in opened)) {
    await opened.close();
    return [];
  }
  const { error } = opened;
  if (error.unknown.length > 0) throw new CommandError(`the database was migrated by a newer Sesame (${error.unknown.join(', ')}): upgrade this one`, EXIT.failed);
  return error.missing;
}

/** Runs the command. */
export async function migrate(out: Output, dryRun: boolean): Promise<void> {
  const { database } = settingsFromEnvironment();
  const engine = engineOf(database.url);
  if (engine === null) throw new CommandError('DATABASE_URL names no engine', EXIT.usage);
  const missing = await pending(database, engine);
  if (dryRun) {
    const all = Object.keys(mergeMigrations(MIGRATIONS, engineTraits(engine))).sort();
    const first = missing[0];
    const index = first === undefined ? -1 : all.indexOf(first);
    const after = index > 0 ? all[index - 1] : undefined;
    const statements = missing.length === 0 ? [] : await migrationSql({ engine, tablePrefix: database.tablePrefix, ...(after === undefined ? {} : { after }) });
    out.result({ pending: missing, statements }, () =>
      missing.length === 0 ? 'the schema is up to date: nothing to apply' : `would apply ${missing.join(', ')}:\n\n${statements.map((statement) => `${statement};`).join('\n')}`,
    );
    return;
  }
  if (missing.length > 0) {
    try {
      await (await openStorage(database.url, storageOptions(database))).close();
    } catch (error) {
      throw new CommandError(`migration failed, nothing was applied: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
    }
  }
  out.result({ applied: missing }, () => (missing.length === 0 ? 'the schema is up to date: nothing to apply' : `applied ${missing.join(', ')}`));
}
