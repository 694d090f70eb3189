/**
 * Maintenance commands: `sesame sessions purge-expired` (the sweeper's work, once, for a deployment that runs it from
 * cron with `SWEEP_INTERVAL` long) and `sesame backup FILE` (SQLite's online backup, consistent while the server
 * runs; on PostgreSQL the database's own tools are the right ones).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectStorage, engineOf } from '../../kernel/database/storage.js';
import { snakeKeys } from '../../kernel/json-style.js';
import { refuseMissingFile, storageOptions } from './database.js';
import { EXIT, CommandError, settingsFromEnvironment, withSesame, type Output } from './io.js';

/** What each count of `Sesame.purgeExpired` stands for, in words; a count it adds later shows under its own name. */
const PURGED: Readonly<Record<string, string>> = {
  sessions: 'sessions past their expiry deleted',
  idleSessionsEnded: 'idle sessions ended',
  verificationTokens: 'expired one-time tokens deleted',
  rateLimitCounters: 'expired rate-limit counters deleted',
  auditEvents: 'audit events past retention deleted',
  mailOutbox: 'outbox messages past retention deleted',
};

/** The purge's counts as lines, one per step, e.g. `sessions past their expiry deleted: 3`. */
export function purgeReport(removed: Readonly<Record<string, number>>): string {
  const lines = Object.entries(removed).map(([what, count]) => `${PURGED[what] ?? what}: ${count}`);
  return lines.length === 0 ? 'nothing to purge' : lines.join('\n');
}

/**
 * Purges expired sessions, tokens, counters and old audit events once; prints how many rows each step removed (with
 * `--json`, `{"removed": {"sessions": n, "idle_sessions_ended": n, ...}}`, the counts' names in snake_case).
 */
export async function purgeExpired(out: Output): Promise<void> {
  const removed = await withSesame((sesame) => sesame.purgeExpired(), 'read-write');
  out.result({ removed: snakeKeys(removed) }, () => purgeReport(removed));
}

/**
 * Runs SQLite's online backup into a file only its owner can read (0600), then renames it over `target`. The copy
 * holds password hashes, the audit log and, in development, the server secret: who may read it must not depend on the
 * umask, the directory, or the mode of an older copy it replaces. Written to a fresh 0600 file first (`wx`: never a
 * file someone else placed there), it is never readable by others even half-written, and a failed backup leaves
 * no partial copy under the target's name.
 */
async function backupPrivately(database: { backup(file: string): Promise<{ totalPages: number }> }, target: string): Promise<{ totalPages: number }> {
  const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    // The mode given to open is narrowed by the umask; set it exactly (SQLite keeps a file's mode when it writes into it).
    chmodSync(partial, 0o600);
    const result = await database.backup(partial);
    renameSync(partial, target);
    return result;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Copies the SQLite database to `file` with the online backup API (pages copied in steps, writers not blocked). It
 * only reads the database, on a read-only connection: a missing file is reported, never created, and the schema is
 * copied at whatever version it is (a copy taken before `sesame migrate` is exactly what an upgrade wants). The copy is
 * written with mode 0600 (see {@link backupPrivately}).
 */
export async function backup(out: Output, file: string | undefined, overwrite: boolean): Promise<void> {
  if (file === undefined || file === '') throw new CommandError('usage: sesame backup FILE', EXIT.usage);
  const { database } = settingsFromEnvironment();
  if (engineOf(database.url) !== 'sqlite') {
    throw new CommandError('backup copies a SQLite database; on PostgreSQL use pg_dump (e.g. pg_dump --format=custom "$DATABASE_URL" > sesame.dump)', EXIT.usage);
  }
  const target = resolve(file);
  if (existsSync(target) && !overwrite) throw new CommandError(`${target} exists: choose another name or pass --yes to replace it`, EXIT.notConfirmed);
  refuseMissingFile(database);
  const storage = connectStorage(database.url, { ...storageOptions(database), readOnly: true });
  try {
    if (storage.client.engine !== 'sqlite') throw new CommandError('backup copies a SQLite database', EXIT.usage);
    const { totalPages } = await backupPrivately(storage.client.database, target);
    out.result({ file: target, pages: totalPages }, () => `backed up ${totalPages} pages to ${target}`);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`backup failed: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  } finally {
    await storage.close();
  }
}
