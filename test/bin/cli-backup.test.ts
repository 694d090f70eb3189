/**
 * `sesame backup` writes the copy readable by its owner only (0600): the copy holds password hashes, the audit log
 * and, in development, the server secret, so the directory it lands in must not decide who can read it.
 * @module
 */
import { statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/built-server.js';
import { runCli } from '../support/cli.js';

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

describe('sesame backup', () => {
  it('writes the copy with mode 0600, also when --yes replaces a world-readable file, and leaves nothing else behind', async () => {
    const dir = makeTempDir('cli-backup-mode');
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'db', 'sesame.db')}` };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const copy = join(dir.path, 'copy.db');
    const run = await runCli(['backup', copy], env);
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const opened = new SqliteDatabase(copy, { readonly: true });
    try {
      expect(opened.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'users'").get()).toEqual({ n: 1 });
    } finally {
      opened.close();
    }

    const old = join(dir.path, 'old.db');
    writeFileSync(old, 'an older copy', { mode: 0o644 });
    expect((await runCli(['backup', old], env)).code).toBe(4);
    const replaced = await runCli(['backup', old, '--yes'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(statSync(old).mode & 0o777).toBe(0o600);
    // No partial copy left beside them (the -wal/-shm files are SQLite's, from opening the copy above).
    expect(readdirSync(dir.path).filter((name) => !/^(copy|old)\.db(-wal|-shm)?$/.test(name))).toEqual(['db']);
  }, 120_000);
});
