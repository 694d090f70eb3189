/**
 * Addresses stored before the address rule, as an operator meets them through the compiled CLI on both engines:
 * `sesame config check` lists the accounts whose email the rule refuses today (exit 0: a warning, nothing is
 * rewritten), reads without creating a missing database, and `sesame users create` refuses a spelling that would
 * reach another mailbox.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createSesame, loadConfig } from '../../src/server.js';
import { REPO_ROOT, baseEnvironment, makeTempDir, type TempDir } from '../support/built-server.js';
import { createPostgresSchema, describeEngines, type EngineCase } from '../support/engines.js';
import { expectJsonStyle } from '../support/json-style.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

/** The compiled CLI. */
const CLI = join(REPO_ROOT, 'dist', 'src', 'bin', 'cli.js');

/** Runs `sesame ...args` with the given settings, to completion. */
function sesame(args: readonly string[], env: Readonly<Record<string, string>>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...baseEnvironment(), ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: TempDir[] = [];
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) dir.remove();
  await Promise.all(drops.splice(0).map((drop) => drop()));
});

/** A fresh database URL on the engine (nothing created yet for SQLite), removed after the test. */
async function freshUrl(engine: EngineCase): Promise<string> {
  if (engine.name === 'sqlite') {
    const dir = makeTempDir('stored-emails');
    dirs.push(dir);
    return `sqlite:${join(dir.path, 'sesame.db')}`;
  }
  const schema = await createPostgresSchema('stored_emails');
  drops.push(() => schema.drop());
  return schema.url;
}

describeEngines('stored emails the address rule refuses', (engine) => {
  it('config check lists them and changes nothing; users create refuses a spelling that reaches another mailbox', async () => {
    const url = await freshUrl(engine);
    const env = { DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    if (engine.name === 'sqlite') {
      // No database yet: nothing to list, and none is created by looking.
      const empty = await sesame(['config', 'check', '--json'], env);
      expect(empty.code, empty.stderr).toBe(0);
      expect(JSON.parse(empty.stdout)).toMatchObject({ ok: true, stored_emails: { checked: false } });
      expect(existsSync(url.slice('sqlite:'.length))).toBe(false);
    }
    const instance = await createSesame(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { sweeper: false, mailDispatcher: false });
    try {
      await instance.password.registration.register('good@example.com', 'a long enough passphrase');
      // Rows the old, loose rule let in (written straight to the table, as an older Sesame did).
      const now = Date.now();
      const legacy = ['a,victim@x.io', 'élodie@exemple.fr'];
      for (const email of legacy) {
        await instance.storage.kysely.insertInto('users').values({ email, hashed_password: 'x', created_at: now, updated_at: now }).execute();
      }
      const before = await instance.storage.kysely.selectFrom('users').select(['id', 'email']).orderBy('id').execute();

      const checked = await sesame(['config', 'check', '--json'], env);
      expect(checked.code, checked.stderr).toBe(0);
      const result = JSON.parse(checked.stdout) as { ok: boolean; stored_emails: { checked: boolean; invalid: Array<{ id: number; email: string }> } };
      expect(result.ok).toBe(true);
      expectJsonStyle(result, 'config check --json');
      expect(result.stored_emails).toEqual({ checked: true, invalid: before.filter((row) => legacy.includes(row.email)) });
      const human = await sesame(['config', 'check'], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/2 stored email\(s\) are not addresses Sesame accepts today/);
      expect(human.stdout).toContain('"a,victim@x.io"');

      const refused = await sesame(['users', 'create', '<victim@x.io>', '--json'], env, 'a long enough passphrase\n');
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('email must be an email address');
      // Nothing rewritten, nothing added.
      expect(await instance.storage.kysely.selectFrom('users').select(['id', 'email']).orderBy('id').execute()).toEqual(before);
    } finally {
      await instance.close();
    }
  });
});
