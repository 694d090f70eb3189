/**
 * How the `sesame` command opens the database, as an operator meets it: the compiled CLI as a child process on both
 * engines. A usage error touches nothing; read-only commands never create a file, a schema or a secret, and refuse a
 * missing or unmigrated database with exit 5; every command takes the table prefix (`DATABASE_TABLE_PREFIX` or
 * `--table-prefix`) and, pointed at a host's database holding Sesame's tables under another prefix (or holding the
 * host's own Kysely history under this one), says so instead of creating a second set of tables.
 * @module
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSesame, loadConfig, openStorage } from '../../src/server.js';
import { makeTempDir, type TempDir } from '../support/built-server.js';
import { jsonLines, runCli } from '../support/cli.js';
import { describeEngines } from '../support/engines.js';
import { ALL_MIGRATIONS } from '../support/migrations.js';
import { emptyDatabase, type RawDatabase } from '../support/raw-database.js';
import { TEST_SECRET_KEY } from '../support/settings.js';

// Each test here runs the compiled CLI a dozen times or more, one after another; on a busy 2-core machine each start
// costs a second or two, so these tests get a longer bound than the suite's default (a bound, not a stopwatch).
vi.setConfig({ testTimeout: 120_000 });

/** Each CLI run loads the whole service (a second or more on a busy machine): tests running a dozen get longer. */
const SLOW = 120_000;

const dirs: TempDir[] = [];
const databases: RawDatabase[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) dir.remove();
  for (const raw of databases.splice(0)) await raw.drop();
});

/** A fresh scratch directory, removed after the test. */
function scratch(label: string): string {
  const dir = makeTempDir(label);
  dirs.push(dir);
  return dir.path;
}

/** A fresh empty database on the engine, dropped after the test. */
async function database(engine: RawDatabase['engine']): Promise<RawDatabase> {
  const raw = await emptyDatabase(engine, 'cli-db');
  databases.push(raw);
  return raw;
}

/** A host application's own tables, Kysely history included, under the names Sesame uses without a prefix. */
const HOST_SCHEMA = [
  'create table users (id integer primary key, username varchar(40) not null unique)',
  "insert into users (id, username) values (1, 'alice')",
  'create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)',
  "insert into kysely_migration (name, timestamp) values ('2024_01_host_init', '2024-01-01T00:00:00.000Z')",
  'create table kysely_migration_lock (id varchar(255) not null primary key, is_locked integer default 0 not null)',
  "insert into kysely_migration_lock (id, is_locked) values ('migration_lock', 0)",
];

/** Everything a database holds that a command could change: its schema and the host's rows. */
async function snapshot(raw: RawDatabase): Promise<unknown> {
  const tables = await raw.tables();
  return { schema: await raw.schema(), rows: await Promise.all(tables.filter((name) => !name.endsWith('_lock')).map((name) => raw.rows(`select * from ${name}`))) };
}

describe('sesame without a database', () => {
  it('a usage error touches nothing: no ./data, no database file, even without DATABASE_URL', async () => {
    const cwd = scratch('cli-usage');
    for (const args of [
      ['users'],
      ['users', 'frobnicate'],
      ['users', 'show'],
      ['users', 'disable'],
      ['users', 'list', 'extra'],
      ['users', 'list', '--state', 'gone'],
      ['admin-tokens'],
      ['admin-tokens', 'create'],
      ['admin-tokens', 'revoke', 'x'],
      ['backup'],
      ['audit', 'tail', '--limit', '0'],
      ['users', 'list', '--table-prefix', 'bad-prefix'],
      // Not an address Sesame accepts (a display name the mailer would send elsewhere): refused before anything opens.
      ['users', 'create', 'Owner <victim@x.io>'],
      ['users', 'create', '"quoted"@x.io'],
    ]) {
      const run = await runCli(args, {}, { cwd });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(readdirSync(cwd), args.join(' ')).toEqual([]);
    }
  }, SLOW);

  it('read-only commands on a missing SQLite database create nothing and exit 5 saying to migrate; migrate --dry-run plans everything', async () => {
    const cwd = scratch('cli-missing');
    for (const args of [['users', 'list'], ['users', 'show', 'a@x.io'], ['audit', 'tail'], ['admin-tokens', 'list'], ['backup', 'copy.db']]) {
      const run = await runCli(args, {}, { cwd });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(5);
      expect(run.stderr, args.join(' ')).toMatch(/no database at .*data\/sesame\.db.*sesame migrate/);
      expect(readdirSync(cwd), args.join(' ')).toEqual([]);
    }
    const plan = await runCli(['migrate', '--dry-run', '--json'], {}, { cwd });
    expect(plan.code, plan.stderr).toBe(0);
    expect((jsonLines(plan.stdout)[0] as { pending: string[] }).pending).toEqual(ALL_MIGRATIONS);
    expect(readdirSync(cwd)).toEqual([]);
  }, SLOW);
});

describeEngines('the sesame command on an existing database', (engine) => {
  it('read-only commands open it without migrating, creating or generating a secret', async () => {
    const raw = await database(engine.name);
    const env = { DATABASE_URL: raw.url };
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const before = await snapshot(raw);
    const listed = await runCli(['users', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim()).toBe('no accounts');
    expect((await runCli(['users', 'show', 'nobody@x.io'], env)).code).toBe(3);
    expect((await runCli(['audit', 'tail'], env)).code).toBe(0);
    expect((await runCli(['admin-tokens', 'list'], env)).stdout.trim()).toBe('no admin tokens');
    expect((await runCli(['migrate', '--dry-run'], env)).stdout.trim()).toBe('the schema is up to date: nothing to apply');
    // No development key was generated (and kept) by a command that only reads.
    expect(await raw.rows('select name from sesame_secrets')).toEqual([]);
    expect(await snapshot(raw)).toEqual(before);
  }, SLOW);

  it('read-only commands refuse a database without a Sesame schema, or with one behind this version, with exit 5 and change nothing', async () => {
    const raw = await database(engine.name);
    await raw.run(['create table notes (id integer primary key)']);
    const env = { DATABASE_URL: raw.url };
    for (const args of [['users', 'list'], ['audit', 'tail'], ['admin-tokens', 'list']]) {
      const run = await runCli(args, env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(5);
      expect(run.stderr).toMatch(/no Sesame schema.*sesame migrate/);
    }
    expect(await raw.tables()).toEqual(['notes']);

    const behind = await database(engine.name);
    await (await openStorage(behind.url, { upTo: '0006_auth_events' })).close();
    const before = await snapshot(behind);
    for (const args of [['users', 'list'], ['users', 'show', '1'], ['admin-tokens', 'list']]) {
      const run = await runCli(args, { DATABASE_URL: behind.url });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(5);
      expect(run.stderr).toMatch(/behind this Sesame.*sesame migrate/);
    }
    expect(await snapshot(behind)).toEqual(before);
  }, SLOW);

  it.each([
    { history: 'its own Kysely history', host: HOST_SCHEMA },
    { history: 'no Kysely history of its own', host: HOST_SCHEMA.slice(0, 2) },
  ])("a host's database with $history and Sesame under sesame_: without that prefix every command says so and creates nothing; with it (setting or --table-prefix) they work", async ({ host }) => {
    const raw = await database(engine.name);
    await raw.run(host);
    const prefixed = { DATABASE_URL: raw.url, DATABASE_TABLE_PREFIX: 'sesame_', SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    const instance = await createSesame(loadConfig({ ...prefixed, LOG_LEVEL: 'silent' }), { sweeper: false, mailDispatcher: false });
    await instance.auth.registerUser('host-user@x.io', 'pw');
    await instance.close();
    const before = await snapshot(raw);

    const env = { DATABASE_URL: raw.url, SECRET_KEY: TEST_SECRET_KEY, BCRYPT_COST: '4' };
    for (const [args, extra] of [
      [['users', 'list']],
      [['users', 'show', 'host-user@x.io']],
      [['admin-tokens', 'list']],
      [['migrate', '--dry-run']],
      [['migrate']],
      [['users', 'create', 'new@x.io']],
      [['sessions', 'purge-expired']],
      [['users', 'list', '--table-prefix', 'other_']],
      [['users', 'list'], { DATABASE_TABLE_PREFIX: 'other_' }],
    ] as Array<[string[], Record<string, string>?]>) {
      const run = await runCli(args, { ...env, ...extra }, { input: 'a long enough password\n' });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/Sesame's tables under the prefix "sesame_".*DATABASE_TABLE_PREFIX=sesame_ or --table-prefix sesame_/);
    }
    expect(await snapshot(raw)).toEqual(before);

    const byFlag = await runCli(['users', 'list', '--json', '--table-prefix', 'sesame_'], env);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(jsonLines(byFlag.stdout).map((row) => row['email'])).toEqual(['host-user@x.io']);
    const bySetting = await runCli(['users', 'list', '--json'], { ...env, DATABASE_TABLE_PREFIX: 'sesame_' });
    expect(jsonLines(bySetting.stdout).map((row) => row['email'])).toEqual(['host-user@x.io']);
    expect(await snapshot(raw)).toEqual(before);
  }, SLOW);

  it("a host's database without Sesame: a writing command will not record Sesame's migrations in the host's kysely_migration; under a prefix it creates Sesame's tables", async () => {
    const raw = await database(engine.name);
    await raw.run(HOST_SCHEMA);
    const before = await snapshot(raw);
    const journal = (): Promise<unknown> => (engine.name === 'sqlite' ? raw.rows('pragma journal_mode') : Promise.resolve('postgres'));
    const journalBefore = await journal();
    const env = { DATABASE_URL: raw.url, BCRYPT_COST: '4' };
    for (const args of [['users', 'create', 'new@x.io'], ['migrate'], ['migrate', '--dry-run'], ['users', 'list']]) {
      const run = await runCli(args, env, { input: 'a long enough password\n' });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/kysely_migration is another application's migration history.*DATABASE_TABLE_PREFIX.*--table-prefix/);
    }
    expect(await snapshot(raw)).toEqual(before);
    // Looked at on a read-only connection: a SQLite host's journal mode is not switched to Sesame's WAL either.
    expect(await journal()).toEqual(journalBefore);

    const created = await runCli(['users', 'create', 'new@x.io', '--table-prefix', 'sesame_'], env, { input: 'a long enough password\n' });
    expect(created.code, created.stderr).toBe(0);
    expect(await raw.rows('select email from sesame_users')).toEqual([{ email: 'new@x.io' }]);
    expect(await raw.rows('select name from kysely_migration')).toEqual([{ name: '2024_01_host_init' }]);
  }, SLOW);
});
