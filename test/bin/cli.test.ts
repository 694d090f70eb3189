/**
 * The `sesame` command as an operator runs it: the compiled CLI as a child process against real databases on both
 * engines, its output (human and `--json`) and its exit codes checked: `--version`, `config check`, `migrate` (with
 * `--dry-run` changing nothing), `sessions purge-expired`, `audit tail` (with `--follow`, and refusing an unknown
 * `--type`), `users create` (its password piped, or typed on a terminal without echo), a repeated disable or enable,
 * `backup`, and the refusals. Every `--json` run's output is checked for the one JSON style (snake_case keys, ISO
 * times, `detail` an object) as it comes back, and the text without `--json` is columns or `key: value` lines.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSesame, loadConfig } from '../../src/server.js';
import { REPO_ROOT, baseEnvironment, makeTempDir, type TempDir } from '../support/built-server.js';
import { createPostgresSchema, describeEngines, isCi, type EngineCase } from '../support/engines.js';
import { expectJsonStyle } from '../support/json-style.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

// Each test here runs the compiled CLI a dozen times or more, one after another; on a busy 2-core machine each start
// costs a second or two, so these tests get a longer bound than the suite's default (a bound, not a stopwatch).
vi.setConfig({ testTimeout: 120_000 });

/** The compiled CLI. */
const CLI = join(REPO_ROOT, 'dist', 'src', 'bin', 'cli.js');

/** What a run of the CLI printed and how it ended. */
interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sesame ...args` with the given settings (and nothing of the developer's shell), to completion. With `--json`,
 * every line it printed must be a JSON value in the one style: so every `--json` run in this file checks it.
 */
async function sesame(args: readonly string[], env: Readonly<Record<string, string>>, input?: string): Promise<CliRun> {
  const run = await spawned(args, env, input);
  if (args.includes('--json')) {
    for (const line of run.stdout.split('\n').filter((text) => text !== '')) expectJsonStyle(JSON.parse(line), `sesame ${args.join(' ')}`, { verbatim: new Set(['texts']) });
  }
  return run;
}

/** Text for people: no line of it is a JSON object or array (the text of `--json`, printed without it). */
function expectText(run: CliRun, command: string): void {
  expect(run.code, `${command}: ${run.stderr}`).toBe(0);
  expect(run.stdout.trim(), command).not.toBe('');
  for (const line of run.stdout.split('\n')) expect(line.trim(), command).not.toMatch(/^[[{]/);
}

/** The child process behind {@link sesame}. */
function spawned(args: readonly string[], env: Readonly<Record<string, string>>, input?: string): Promise<CliRun> {
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

/** Parses one JSON value per line. */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const dirs: TempDir[] = [];
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) dir.remove();
  await Promise.all(drops.splice(0).map((drop) => drop()));
});

/** A fresh, empty database URL on the engine, removed after the test. */
async function freshUrl(engine: EngineCase): Promise<string> {
  if (engine.name === 'sqlite') {
    const dir = makeTempDir('cli');
    dirs.push(dir);
    return `sqlite:${join(dir.path, 'sesame.db')}`;
  }
  const schema = await createPostgresSchema('cli');
  drops.push(() => schema.drop());
  return schema.url;
}

describe('sesame (no database)', () => {
  it('prints its help (exit 0) and refuses an unknown command or option (exit 2)', async () => {
    const help = await sesame(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: sesame <command>/);
    expect(help.stdout).toMatch(/exit codes: 0 done, 1 failed, 2 bad command line or settings/);
    expect((await sesame(['launch'], {})).code).toBe(2);
    expect((await sesame(['config', 'check', '--colour'], {})).code).toBe(2);
  });

  it('--version and -v print the package version (as JSON with --json)', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await sesame(['--version'], {})).toEqual({ code: 0, stdout: `sesame ${version}\n`, stderr: '' });
    expect(await sesame(['-v', '--json'], {})).toEqual({ code: 0, stdout: `${JSON.stringify({ version })}\n`, stderr: '' });
  });

  it('webhook secret prints the whsec_ key (as {"secret"} with --json) from SECRET_KEY, with no database', async () => {
    const env = { SECRET_KEY: TEST_SECRET_KEY, DATABASE_URL: 'sqlite:/nonexistent/dir/sesame.db' };
    const said = await sesame(['webhook', 'secret'], env);
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toMatch(/^whsec_\S+\n$/);
    expect(jsonLines((await sesame(['webhook', 'secret', '--json'], env)).stdout)).toEqual([{ secret: said.stdout.trim() }]);
  });

  it('audit tail --type refuses a type the audit log never holds (exit 2) before opening any database', async () => {
    const dir = makeTempDir('cli-type');
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}` };
    const typo = await sesame(['audit', 'tail', '--type', 'login.fail'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^sesame: unknown event type "login\.fail" \(did you mean login\.failed\?\); the audit log holds account\.created, .*sessions\.revoked\n$/);
    const unlike = await sesame(['audit', 'tail', '--type', 'nothing-like-it', '--follow'], env);
    expect(unlike.code).toBe(2);
    expect(unlike.stderr).not.toContain('did you mean');
    const traffic = await sesame(['audit', 'tail', '--type', 'rate_limit.refused'], env);
    expect(traffic.code).toBe(2);
    expect(traffic.stderr).toMatch(/rate_limit\.refused events are never stored in the audit log/);
    expect(existsSync(join(dir.path, 'sesame.db'))).toBe(false);
  });

  it('users create refuses an empty piped password with "no password given" (exit 2), touching no database', async () => {
    const dir = makeTempDir('cli-empty');
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}` };
    for (const input of ['', '\n']) {
      expect(await sesame(['users', 'create', 'empty@example.com'], env, input)).toEqual({ code: 2, stdout: '', stderr: 'sesame: no password given\n' });
    }
    expect(existsSync(join(dir.path, 'sesame.db'))).toBe(false);
  });

  it('config check: the effective settings with secrets masked, or exit 2 listing every problem', async () => {
    const ok = await sesame(['config', 'check', '--json'], {
      SECRET_KEY: TEST_SECRET_KEY,
      DATABASE_URL: 'postgres://sesame:hunter2@db.internal:5432/sesame',
      SMTP_URL: 'smtps://mailer:smtp-s3cret@mail.example.com:465',
      MAIL_FROM: 'auth@example.com',
    });
    expect(ok.code).toBe(0);
    const [result] = jsonLines(ok.stdout) as [{ ok: boolean; settings: { profile: string; database: { url: string; table_prefix: string }; mail: { smtp_url: string }; secrets: unknown } }];
    expect(result.settings.mail.smtp_url).toBe('smtps://mailer:***@mail.example.com:465');
    expect(result.settings.database.table_prefix).toBe('');
    expect(ok.stdout).not.toContain('smtp-s3cret');
    expect(result.ok).toBe(true);
    expect(result.settings.profile).toBe('development');
    expect(result.settings.database.url).toBe('postgres://sesame:***@db.internal:5432/sesame');
    expect(ok.stdout).not.toContain('hunter2');
    expect(ok.stdout).not.toContain(TEST_SECRET_KEY);
    const bad = await sesame(['config', 'check', '--json'], { SESAME_PROFILE: 'production', BCRYPT_COST: '99' });
    expect(bad.code).toBe(2);
    const [refusal] = jsonLines(bad.stdout) as [{ ok: boolean; problems: string[] }];
    expect(refusal.ok).toBe(false);
    expect(refusal.problems.some((problem) => problem.includes('BCRYPT_COST'))).toBe(true);
    const human = await sesame(['config', 'check'], { BCRYPT_COST: 'many' });
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/BCRYPT_COST/);
    // For people: `key: value` lines under the same names as the JSON, the values aligned, secrets masked.
    const text = await sesame(['config', 'check'], { SECRET_KEY: TEST_SECRET_KEY, DATABASE_URL: 'postgres://sesame:hunter2@db.internal:5432/sesame' });
    expectText(text, 'config check');
    expect(text.stdout).toMatch(/^settings are valid \(profile development\):\n {2}profile: +development\n/);
    expect(text.stdout).toMatch(/^ {2}database\.url: +postgres:\/\/sesame:\*\*\*@db\.internal:5432\/sesame$/m);
    expect(text.stdout).toMatch(/^ {2}database\.connect_timeout_ms: +\d+$/m);
    const values = text.stdout.split('\n').filter((line) => line.startsWith('  ')).map((line) => /^ {2}[a-z0-9_.]+: +/.exec(line)?.[0].length);
    expect(new Set(values).size, 'every value starts in the same column').toBe(1);
    expect(text.stdout).not.toContain('hunter2');
    expect(text.stdout).not.toContain(TEST_SECRET_KEY);
  });
});

describeEngines('the sesame command', (engine) => {
  it('migrate --dry-run prints the plan and changes nothing; migrate applies it; then nothing is pending', async () => {
    const url = await freshUrl(engine);
    const env = { DATABASE_URL: url };
    const plan = await sesame(['migrate', '--dry-run', '--json'], env);
    expect(plan.code, plan.stderr).toBe(0);
    const [dry] = jsonLines(plan.stdout) as [{ pending: string[]; statements: string[] }];
    expect(dry.pending[0]).toMatch(/^0001_/);
    expect(dry.statements.join('\n')).toMatch(/create table "users"/i);
    // Still nothing there: a second dry run plans the same.
    expect((jsonLines((await sesame(['migrate', '--dry-run', '--json'], env)).stdout)[0] as { pending: string[] }).pending).toEqual(dry.pending);
    const applied = await sesame(['migrate'], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied 0001_\w+, /);
    const after = await sesame(['migrate', '--dry-run'], env);
    expect(after.stdout.trim()).toBe('the schema is up to date: nothing to apply');
    expect(jsonLines((await sesame(['migrate', '--json'], env)).stdout)).toEqual([{ applied: [] }]);
  });

  it('sessions purge-expired and audit tail work on the services, with --follow printing new events', async () => {
    const url = await freshUrl(engine);
    const env = { DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    const instance = await createSesame(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { sweeper: false });
    try {
      await instance.auth.registerUser('tail@example.com', 'pw');
      await instance.auth.createSession('tail@example.com');
      const purge = await sesame(['sessions', 'purge-expired', '--json'], env);
      expect(purge.code, purge.stderr).toBe(0);
      const { removed } = jsonLines(purge.stdout)[0] as { removed: Record<string, unknown> };
      expect(Object.keys(removed)).toEqual(expect.arrayContaining(['sessions', 'idle_sessions_ended', 'verification_tokens', 'rate_limit_counters', 'audit_events', 'mail_outbox']));
      for (const count of Object.values(removed)) expect(count).toEqual(expect.any(Number));
      // For people: one line a step, each saying what was removed and how many, never an object's default string.
      const said = await sesame(['sessions', 'purge-expired'], env);
      expect(said.code, said.stderr).toBe(0);
      expect(said.stdout).not.toContain('[object');
      expect(said.stdout).toMatch(/^sessions past their expiry deleted: \d+\nidle sessions ended: \d+\nexpired one-time tokens deleted: \d+\n/);
      expect(said.stdout.trim().split('\n')).toHaveLength(Object.keys(removed).length);

      const tail = await sesame(['audit', 'tail', '--json', '--user', 'tail@example.com'], env);
      expect(tail.code, tail.stderr).toBe(0);
      const types = jsonLines(tail.stdout).map((event) => event['type']);
      expect(types.length).toBeGreaterThan(0);
      // GET /admin/events' objects, oldest first: ISO times and the account's id.
      expect(jsonLines(tail.stdout)[0]).toMatchObject({ type: 'account.created', user_id: expect.any(Number) as number, created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/) as string });
      // For people: one line an event, the time, type and account columns of the same width on every line.
      const told = await sesame(['audit', 'tail', '--user', 'tail@example.com'], env);
      expectText(told, 'audit tail');
      const lines = told.stdout.trim().split('\n');
      expect(lines).toHaveLength(types.length);
      expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z {2}account\.created +user \d+ +user {2}- {2}- {2}-$/);
      expect((await sesame(['audit', 'tail', '--user', 'nobody@example.com'], env)).code).toBe(3);

      const following = sesame(['audit', 'tail', '--json', '--type', 'account.created', '--follow-for', '3'], env);
      await new Promise((wake) => setTimeout(wake, 1200));
      await instance.auth.registerUser('later@example.com', 'pw');
      const followed = await following;
      expect(followed.code, followed.stderr).toBe(0);
      expect(jsonLines(followed.stdout).map((event) => event['type'])).toContain('account.created');
      expect(jsonLines(followed.stdout).length).toBe(2);
    } finally {
      await instance.close();
    }
  });

  it('users: create (password on stdin), list, show, disable, enable, revoke-sessions, force-reset, delete, audited as cli:<actor>', async () => {
    const url = await freshUrl(engine);
    const env = { DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    const created = await sesame(['users', 'create', 'ops@example.com', '--json', '--actor', 'ops'], env, 'pw-from-stdin\n');
    expect(created.code, created.stderr).toBe(0);
    const id = (jsonLines(created.stdout)[0] as { id: number }).id;
    const instance = await createSesame(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { sweeper: false });
    try {
      expect(await instance.auth.validLogin('ops@example.com', 'pw-from-stdin')).toBe(true);
      const listed = await sesame(['users', 'list', '--json', '--email-prefix', 'ops@'], env);
      expect(jsonLines(listed.stdout).map((row) => [row['email'], row['state'], row['disabled_at']])).toEqual([['ops@example.com', 'active', null]]);
      const table = await sesame(['users', 'list'], env);
      expectText(table, 'users list');
      expect(table.stdout).toMatch(/^ID +EMAIL +STATE +CREATED_AT +EMAIL_VERIFIED_AT +DISABLED_AT\n\d+ +ops@example\.com +active +\d{4}-[\d\-T:.]+Z +\d{4}-[\d\-T:.]+Z +-\n$/);
      await instance.auth.createSession('ops@example.com');
      const shown = await sesame(['users', 'show', String(id), '--json'], env);
      expect(shown.code).toBe(0);
      // GET /admin/users/:id's object: the account, its live sessions as handles, its events (detail parsed) and its mail.
      const details = jsonLines(shown.stdout)[0] as { account: Record<string, unknown>; sessions: Array<Record<string, unknown>>; events: Array<Record<string, unknown>>; mail: unknown[] };
      expect(Object.keys(details)).toEqual(['account', 'sessions', 'events', 'mail']);
      expect(details.account).toMatchObject({ id, email: 'ops@example.com', state: 'active', disabled_at: null, language: 'en' });
      expect(details.sessions).toEqual([expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f]{16}$/) as string, ended_at: null, end_reason: null })]);
      expect(details.events.map((event) => [event['type'], event['actor']])).toEqual([['account.created', 'cli:ops']]);
      expect(shown.stdout).not.toMatch(/\$2[aby]\$/);
      const said = await sesame(['users', 'show', 'ops@example.com'], env);
      expectText(said, 'users show');
      expect(said.stdout).toMatch(/^id: +\d+\nemail: +ops@example\.com\nstate: +active\n/);
      expect(said.stdout).toMatch(/^sessions \(1\):\n {2}ID +CREATED_AT +EXPIRES_AT +LAST_USED_AT\n {2}[0-9a-f]{16} /m);
      expect(said.stdout).toMatch(/^events \(1\):\n {2}ID +CREATED_AT +TYPE +ACTOR +IP +DETAIL\n {2}\d+ +\S+ +account\.created +cli:ops +- +-$/m);
      expect(said.stdout).toMatch(/^mail: none$/m);
      expect((await sesame(['users', 'show', 'nobody@example.com'], env)).code).toBe(3);

      const disabled = await sesame(['users', 'disable', 'ops@example.com', '--reason', 'leaked', '--json', '--actor', 'ops'], env);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(jsonLines(disabled.stdout)[0]).toEqual({ id, disabled: true, sessions_ended: 1, already_disabled: false });
      expect(await instance.auth.validLogin('ops@example.com', 'pw-from-stdin')).toBe(false);
      // Again: nothing changes, no second event, and it says so.
      const again = await sesame(['users', 'disable', 'ops@example.com', '--reason', 'again', '--actor', 'ops'], env);
      expect(again).toEqual({ code: 0, stdout: 'ops@example.com is already disabled: nothing changed\n', stderr: '' });
      expect(jsonLines((await sesame(['users', 'disable', String(id), '--json'], env)).stdout)[0]).toEqual({ id, disabled: true, sessions_ended: 0, already_disabled: true });
      expect((await instance.audit.list({ userId: id, type: 'account.disabled' })).map((event) => event.detail)).toEqual(['{"sessionsEnded":1}']);
      expect((await instance.accounts.find(id))?.disabledReason).toBe('leaked');
      expect(await sesame(['users', 'enable', String(id), '--actor', 'ops'], env)).toEqual({ code: 0, stdout: 'enabled ops@example.com\n', stderr: '' });
      expect(await sesame(['users', 'enable', String(id), '--actor', 'ops'], env)).toEqual({ code: 0, stdout: 'ops@example.com is already enabled: nothing changed\n', stderr: '' });
      expect(jsonLines((await sesame(['users', 'enable', String(id), '--json'], env)).stdout)).toEqual([{ id, enabled: true, already_enabled: true }]);
      expect(await instance.audit.list({ userId: id, type: 'account.enabled' })).toHaveLength(1);
      expect(await instance.auth.validLogin('ops@example.com', 'pw-from-stdin')).toBe(true);

      await instance.auth.createSession('ops@example.com');
      expect((await sesame(['users', 'revoke-sessions', String(id)], env)).code).toBe(4);
      expect(jsonLines((await sesame(['users', 'revoke-sessions', String(id), '--yes', '--json', '--actor', 'ops'], env)).stdout)).toEqual([{ id, sessions_ended: 1 }]);
      const reset = await sesame(['users', 'force-reset', String(id), '--yes', '--json', '--actor', 'ops'], env);
      expect(reset.code, reset.stderr).toBe(0);
      // The admin API's force-reset answer (it said `sessionsEnded` where disable said `sessions_ended`).
      expect(jsonLines(reset.stdout)).toEqual([{ id, sessions_ended: 0, delivery: { via: 'returned', token: expect.any(String) as string } }]);
      expect(await instance.auth.validLogin('ops@example.com', 'pw-from-stdin')).toBe(false);

      // For people, events of types of every length: the actor column still lines up, and the detail reads as facts.
      const tail = await sesame(['audit', 'tail', '--user', String(id)], env);
      expectText(tail, 'audit tail');
      const lines = tail.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      expect(new Set(lines.map((line) => /^\S+ {2}\S+ +user \d+ +/.exec(line)?.[0].length)).size, 'the actor column lines up').toBe(1);
      expect(tail.stdout).toMatch(/ account\.disabled +user \d+ +cli:ops {2}- {2}- {2}sessions_ended=1$/m);
      const audited = (await instance.audit.list({ userId: id })).filter((event) => event.actor === 'cli:ops').map((event) => event.type);
      expect(audited).toEqual(expect.arrayContaining(['account.disabled', 'account.enabled', 'account.force_reset']));

      expect((await sesame(['users', 'delete', String(id)], env)).code).toBe(4);
      expect(await sesame(['users', 'delete', String(id), '--yes', '--actor', 'ops', '--json'], env)).toEqual({ code: 0, stdout: `${JSON.stringify({ id, deleted: true })}\n`, stderr: '' });
      expect((await sesame(['users', 'show', String(id)], env)).code).toBe(3);
      expect((await sesame(['users', 'frobnicate'], env)).code).toBe(2);
    } finally {
      await instance.close();
    }
  });

  it('users force-reset, disable (then enable), revoke-sessions and delete each cancel a pending change of address; the owner\'s fresh reset works', async () => {
    const url = await freshUrl(engine);
    const outbox = makeTempDir('cli-outbox');
    dirs.push(outbox);
    const env = { DATABASE_URL: url, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4', MAIL_OUTBOX_DIR: outbox.path };
    const instance = await createSesame(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { sweeper: false, mailDispatcher: false });
    try {
      const remedies: ReadonlyArray<readonly string[]> = [['force-reset'], ['disable', 'enable'], ['revoke-sessions'], ['delete']];
      for (const [n, commands] of remedies.entries()) {
        const email = `owner${n}@example.com`;
        const thief = `thief${n}@example.com`;
        const { id } = await instance.password.registration.register(email, 'pw-of-the-owner');
        // Someone who knows the password signs in and asks to move the account to their own mailbox.
        const signedIn = await instance.password.login.login(email, 'pw-of-the-owner', undefined);
        const session = await instance.sessions.validate(signedIn?.sessionId);
        if (session === null) throw new Error('no session');
        await instance.email.requestChange(session, 'pw-of-the-owner', thief);
        const row = await instance.storage.kysely.selectFrom('mail_outbox').select('id').where('recipient', '=', thief).executeTakeFirstOrThrow();
        const text = (await instance.mail.find(row.id))?.text_body ?? '';
        const token = decodeURIComponent(/\/account\/verify\?token=([^\s"<&]+)/.exec(text)?.[1] ?? '');
        const code = /^ {4}(\d{4}-\d{4})\r?$/m.exec(text)?.[1] ?? '';
        expect([token, code].every((part) => part !== '')).toBe(true);

        for (const command of commands) {
          const run = await sesame(['users', command, String(id), '--yes', '--json', '--actor', 'ops'], env);
          expect(run.code, `${command}: ${run.stderr}`).toBe(0);
        }
        await expect(instance.email.confirm({ token }), commands.join('+')).rejects.toMatchObject({ code: 'email.token_invalid' });
        await expect(instance.email.confirm({ email: thief, code }), commands.join('+')).rejects.toMatchObject({ code: 'email.token_invalid' });
        expect(await instance.accounts.find(thief)).toBeUndefined();
        if (commands[0] === 'delete') continue;
        // The owner's own reset, asked now, works (in development the token comes back in the answer).
        const issued = await instance.password.reset.request(email);
        await instance.password.reset.reset(issued?.token ?? '', 'the owner took it back', email);
        expect(await instance.auth.validLogin(email, 'the owner took it back'), commands.join('+')).toBe(true);
      }
    } finally {
      await instance.close();
    }
  });

  it(engine.name === 'sqlite' ? 'backup copies the database while it is open, and will not overwrite without --yes' : 'backup says to use pg_dump (exit 2)', async () => {
    const url = await freshUrl(engine);
    const env = { DATABASE_URL: url, BCRYPT_COST: '4' };
    expect((await sesame(['migrate'], env)).code).toBe(0);
    const dir = makeTempDir('cli-backup');
    dirs.push(dir);
    const file = join(dir.path, 'copy.db');
    const run = await sesame(['backup', file], env);
    if (engine.name === 'postgres') {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/pg_dump/);
      return;
    }
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const copy = new SqliteDatabase(file, { readonly: true });
    try {
      expect(copy.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'users'").get()).toEqual({ n: 1 });
    } finally {
      copy.close();
    }
    expect((await sesame(['backup', file], env)).code).toBe(4);
    expect(jsonLines((await sesame(['backup', file, '--yes', '--json'], env)).stdout)).toEqual([{ file, pages: expect.any(Number) as number }]);
  });
});

/** Whether util-linux `script` is here to give the CLI a terminal (a pseudo-terminal) for the password prompt. */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

/**
 * Runs `sesame users create EMAIL` on a pseudo-terminal (util-linux `script`), typing each answer only once its
 * prompt shows, as a person would; returns everything the terminal showed and how the command ended.
 */
function createOnTerminal(email: string, answers: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve) => {
    const command = [process.execPath, CLI, 'users', 'create', email].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], { env: { ...baseEnvironment(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let prompts = 0;
    const look = (chunk: Buffer): void => {
      screen += chunk.toString('utf8');
      const shown = screen.match(/Password( \(again\))?: /g)?.length ?? 0;
      // Each answer is typed after its prompt, with Enter as a terminal sends it (a carriage return).
      while (prompts < shown && prompts < answers.length) child.stdin?.write(`${answers[prompts++] ?? ''}\r`);
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      child.stdin?.destroy();
      resolve({ code, screen });
    });
  });
}

(hasScript || isCi ? describe : describe.skip)(`sesame users create on a terminal${hasScript || isCi ? '' : ' (skipped: util-linux script is not installed)'}`, () => {
  it('asks for the password twice without echoing it; refuses an empty one and two that differ', async () => {
    const dir = makeTempDir('cli-tty');
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir.path, 'sesame.db')}`, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    const typed = await createOnTerminal('tty@example.com', ['typed-unseen-42', 'typed-unseen-42'], env);
    expect(typed.code, typed.screen).toBe(0);
    expect(typed.screen).toMatch(/^Password: \r?\nPassword \(again\): \r?\ncreated account \d+ \(tty@example\.com\)/);
    expect(typed.screen).not.toContain('typed-unseen');
    const differ = await createOnTerminal('differ@example.com', ['one-password-1', 'another-one-2'], env);
    expect(differ.code, differ.screen).toBe(2);
    expect(differ.screen).toContain('sesame: the two passwords differ: nothing was done');
    const empty = await createOnTerminal('empty@example.com', [''], env);
    expect(empty.code, empty.screen).toBe(2);
    expect(empty.screen).toContain('sesame: no password given');
    const instance = await createSesame(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { sweeper: false });
    try {
      expect(await instance.auth.validLogin('tty@example.com', 'typed-unseen-42')).toBe(true);
      expect(await instance.accounts.find('differ@example.com')).toBeUndefined();
      expect(await instance.accounts.find('empty@example.com')).toBeUndefined();
    } finally {
      await instance.close();
    }
  });
});
