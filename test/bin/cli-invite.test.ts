/**
 * `sesame users invite EMAIL` through the built CLI on a SQLite file (issue 35): it stores the invitation's hash only,
 * leaves the mail in the outbox for the server's dispatcher, prints the address and expiry (JSON with `--json`) and
 * never the token; a bad address or language is a usage error (exit 2) before the database is opened.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/built-server.js';
import { jsonLines, runCli } from '../support/cli.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

describe('sesame users invite', () => {
  const dirs: TempDir[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it('mails an invitation through the outbox, stores only its hash, and prints no token', async () => {
    const dir = makeTempDir('cli-invite');
    dirs.push(dir);
    const database = join(dir.path, 'sesame.db');
    const env = { DATABASE_URL: `sqlite:${database}`, SECRET_KEY: TEST_SECRET_KEY, REGISTRATION: 'invite', INVITATION_TTL: '3d', LOG_LEVEL: 'silent' };
    const before = Date.now();
    const run = await runCli(['users', 'invite', 'Guest@Example.com', '--language', 'fr', '--json', '--actor', 'ops'], env);
    expect(run.code, run.stderr).toBe(0);
    const [printed] = jsonLines(run.stdout) as [{ email: string; expires_at: string }];
    expect(printed.email).toBe('guest@example.com');
    const expiresAt = Date.parse(printed.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3 * 86_400_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3 * 86_400_000);

    const db = new SqliteDatabase(database, { readonly: true });
    try {
      const rows = db.prepare('select email, token_hash, created_by, expires_at, consumed_at from invitations').all() as Array<Record<string, unknown>>;
      expect(rows).toEqual([{ email: 'guest@example.com', token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), created_by: 'cli:ops', expires_at: expiresAt, consumed_at: null }]);
      expect(db.prepare("select kind, recipient, status from mail_outbox").all()).toEqual([{ kind: 'invitation', recipient: 'guest@example.com', status: 'pending' }]);
      expect(db.prepare("select count(*) as n from auth_events where type = 'invitation.created' and actor = 'cli:ops'").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    // A token is 43 base64url characters: nothing of that shape is printed.
    expect(run.stdout + run.stderr).not.toMatch(/[A-Za-z0-9_-]{43}/);

    const text = await runCli(['users', 'invite', 'second@example.com'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^invitation mailed to second@example\.com \(valid until \d{4}-\d\d-\d\dT[\d:.]+Z\)\n$/);
  });

  it('refuses a bad address or language with exit 2 before opening any database', async () => {
    const dir = makeTempDir('cli-invite-usage');
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`, LOG_LEVEL: 'silent' };
    const bad = await runCli(['users', 'invite', 'not an address'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an address Sesame accepts');
    const language = await runCli(['users', 'invite', 'ok@example.com', '--language', 'de'], env);
    expect(language).toEqual({ code: 2, stdout: '', stderr: 'sesame: --language must be en or fr\n' });
    expect((await runCli(['users', 'invite'], env)).code).toBe(2);
    expect(existsSync(join(dir.path, 'sesame.db'))).toBe(false);
  });
});
