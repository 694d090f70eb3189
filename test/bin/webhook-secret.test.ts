/**
 * `sesame webhook secret` as an operator runs it (the CLI from source through tsx, so no build is needed): it prints
 * the `whsec_` key derived from `SECRET_KEY` without touching a database, and in development, without `SECRET_KEY`,
 * the one derived from the key the server keeps in the database, the same on every run and the same as the server's.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretKey } from '../../src/kernel/secrets.js';
import { webhookSecret } from '../../src/modules/mail/webhook.js';
import { createSesame, loadConfig } from '../../src/server.js';
import { REPO_ROOT, baseEnvironment, makeTempDir, type TempDir } from '../support/built-server.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

/** The CLI's source, run through tsx. */
const CLI = join(REPO_ROOT, 'src', 'bin', 'cli.ts');

/** What a run printed and how it ended. */
interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sesame ...args` with the given settings and nothing of the developer's shell. */
function sesame(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, env: { ...baseEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A SQLite URL in a fresh directory, removed after the test. */
function freshDatabase(): { readonly url: string; readonly file: string } {
  const dir = makeTempDir('webhook-secret');
  dirs.push(dir);
  const file = join(dir.path, 'sesame.db');
  return { url: `sqlite:${file}`, file };
}

describe('sesame webhook secret', () => {
  it('prints the whsec_ key of SECRET_KEY, human and --json, without opening the database', async () => {
    const database = freshDatabase();
    const env = { SECRET_KEY: TEST_SECRET_KEY, DATABASE_URL: database.url };
    const expected = webhookSecret(SecretKey.parse(TEST_SECRET_KEY) ?? SecretKey.generate());
    expect(expected).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const human = await sesame(['webhook', 'secret'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(`${expected}\n`);
    const json = await sesame(['webhook', 'secret', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout) as unknown).toEqual({ secret: expected });
    expect(existsSync(database.file)).toBe(false);
    // The secret itself is never what is printed.
    expect(human.stdout + json.stdout).not.toContain(TEST_SECRET_KEY);
  });

  it('in development without SECRET_KEY: the key kept in the database, stable across runs and the same as the server uses', async () => {
    const database = freshDatabase();
    const first = await sesame(['webhook', 'secret', '--json'], { DATABASE_URL: database.url });
    expect(first.code, first.stderr).toBe(0);
    // Stdout is the JSON value alone (the "generated one" notice goes to stderr), so scripts can parse it.
    const { secret } = JSON.parse(first.stdout) as { secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(first.stderr).toMatch(/SECRET_KEY is not set: generated one/);
    const again = await sesame(['webhook', 'secret'], { DATABASE_URL: database.url });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${secret}\n`);
    expect(again.stderr).toBe('');

    const server = await createSesame(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), { sweeper: false, mailDispatcher: false });
    try {
      expect(webhookSecret(server.secret)).toBe(secret);
    } finally {
      await server.close();
    }
  });

  it('refuses extra words (exit 2)', async () => {
    const run = await sesame(['webhook', 'secret', 'now'], { SECRET_KEY: TEST_SECRET_KEY });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});
