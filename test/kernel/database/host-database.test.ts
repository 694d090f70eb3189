// Sesame in a database that is not only its own, on both engines: with the table prefix beside a host's own `users`,
// `sessions` and Kysely migrations (the seed flow passes and the host's tables and migrator are untouched); on a
// database made before the prefix existed (kept, upgraded, still serving its sessions); and with migrations off, where
// start-up checks the schema and the SQL of `migrationSql` is what makes it pass.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/bin/app.js';
import { loadConfig } from '../../../src/config.js';
import { SchemaVersionError } from '../../../src/kernel/database/migrator.js';
import { BcryptHasher } from '../../../src/modules/password/index.js';
import { createSesame, migrationSql, openStorage, type Sesame, type SesameOptions } from '../../../src/sesame.js';
import { logIn, profileLogged, runSeedFlow } from '../../seed/e2e/seed-flow.js';
import { describeEngines } from '../../support/engines.js';
import { captureStream } from '../../support/in-process.js';
import { emptyDatabase, type RawDatabase, type SchemaEntry } from '../../support/raw-database.js';
import { ALL_MIGRATIONS } from '../../support/migrations.js';

/** Sesame's tables without a prefix: the names every database made before the prefix has, and keeps. */
const UNPREFIXED_TABLES = ['admin_tokens', 'auth_events', 'invitations', 'kysely_migration', 'kysely_migration_lock', 'mail_outbox', 'rate_limits', 'sesame_secrets', 'sessions', 'spent_challenges', 'users', 'verification_tokens'];

/** A host application's own schema, in SQL both engines take, with names Sesame would use without a prefix. */
const HOST_SCHEMA = [
  'create table users (id integer primary key, username varchar(40) not null unique, karma integer not null default 0)',
  "insert into users (id, username, karma) values (1, 'alice', 3), (2, 'bob', 5)",
  'create table sessions (token varchar(64) primary key, user_id integer not null references users (id))',
  "insert into sessions (token, user_id) values ('host-token', 1)",
  'create index sessions_user_id_idx on sessions (user_id)',
  'create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)',
  "insert into kysely_migration (name, timestamp) values ('2024_01_host_init', '2024-01-01T00:00:00.000Z')",
  'create table kysely_migration_lock (id varchar(255) not null primary key, is_locked integer default 0 not null)',
  "insert into kysely_migration_lock (id, is_locked) values ('migration_lock', 0)",
];

/** Rows and schema of everything in a database that is not Sesame's (nothing named `sesame_...`). */
async function hostState(raw: RawDatabase): Promise<unknown> {
  const isSesame = (entry: SchemaEntry): boolean => Object.values(entry).some((value) => typeof value === 'string' && /^(sqlite_autoindex_)?sesame_/.test(value));
  return {
    schema: (await raw.schema()).filter((entry) => !isSesame(entry)),
    users: await raw.rows('select * from users order by id'),
    sessions: await raw.rows('select * from sessions order by token'),
    migrations: await raw.rows('select * from kysely_migration order by name'),
    lock: await raw.rows('select * from kysely_migration_lock'),
  };
}

/** A running standalone server over a database, and how to stop it (which closes its Sesame). */
interface Served {
  readonly url: string;
  readonly sesame: Sesame;
  stop(): Promise<void>;
}

const serving: Served[] = [];
const databases: RawDatabase[] = [];

afterEach(async () => {
  for (const served of serving.splice(0)) await served.stop();
  for (const raw of databases.splice(0)) await raw.drop();
});

/** A fresh empty database on the engine, dropped after the test. */
async function database(engine: RawDatabase['engine']): Promise<RawDatabase> {
  const raw = await emptyDatabase(engine, 'host');
  databases.push(raw);
  return raw;
}

/** Starts the standalone server on a database, with the database rate-limit store so its table is used too. */
async function serve(url: string, options: SesameOptions = {}): Promise<Served> {
  const config = loadConfig({ DATABASE_URL: url, BCRYPT_COST: '4', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY: '0', RATE_LIMIT_STORE: 'database', PORT: '0' });
  const sesame = await createSesame(config, { logStream: captureStream().stream, sweeper: false, ...options });
  const app = await buildServer(sesame);
  await app.listen({ port: 0, host: '127.0.0.1' });
  let stopped = false;
  const served: Served = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    sesame,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
  };
  serving.push(served);
  return served;
}

/** The host's own Kysely migrator over its default `kysely_migration`, with one more migration than it had. */
async function runHostMigrator(raw: RawDatabase): Promise<void> {
  const pool = raw.engine === 'postgres' ? new pg.Pool({ connectionString: raw.url, max: 1 }) : undefined;
  const db = new Kysely<unknown>({
    dialect: pool !== undefined ? new PostgresDialect({ pool }) : new SqliteDialect({ database: new SqliteDatabase(raw.url.slice('sqlite:'.length)) }),
  });
  const migrations: Record<string, Migration> = {
    '2024_01_host_init': { up: () => Promise.resolve() },
    '2024_02_host_karma_index': {
      async up(host: Kysely<unknown>): Promise<void> {
        await host.schema.createIndex('users_karma_idx').on('users').column('karma').execute();
      },
    },
  };
  try {
    const { error, results } = await new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } }).migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => `${r.migrationName} ${r.status}`)).toEqual(['2024_02_host_karma_index Success']);
  } finally {
    await db.destroy();
  }
}

/** SHA-256 hex, how session ids are stored. */
function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

describeEngines('a host database', (engine) => {
  it("takes Sesame under the sesame_ prefix beside the host's own users, sessions and Kysely migrations, which stay untouched", async () => {
    const raw = await database(engine.name);
    await raw.run(HOST_SCHEMA);
    const before = await hostState(raw);
    const hostIndexes = await raw.indexes();

    const first = await serve(raw.url, { tablePrefix: 'sesame_' });
    const flow = await runSeedFlow(first.url);
    await first.stop();
    // A restart finds its migrations applied in its own bookkeeping table, and the account the flow made.
    const again = await serve(raw.url, { tablePrefix: 'sesame_' });
    const sessionId = await logIn(again.url, flow.email, flow.passwords[1] ?? '');
    const listed = await fetch(`${again.url}/sessions`, { headers: { cookie: `session_id=${sessionId}` } });
    expect(((await listed.json()) as { sessions: unknown[] }).sessions).toHaveLength(2);
    expect(Object.keys(await again.sesame.purgeExpired()).length).toBeGreaterThan(0);
    await again.stop();

    expect(await hostState(raw)).toEqual(before);
    const tables = await raw.tables();
    expect(tables.filter((name) => !['users', 'sessions', 'kysely_migration', 'kysely_migration_lock'].includes(name))).toEqual(
      UNPREFIXED_TABLES.map((name) => `sesame_${name}`).sort(),
    );
    // Every index and constraint Sesame made carries the prefix (the engine's automatic ones are named after the table).
    const sesameIndexes = (await raw.indexes()).filter((name) => !hostIndexes.includes(name));
    expect(sesameIndexes.length).toBeGreaterThan(10);
    expect(sesameIndexes.filter((name) => !/^(sqlite_autoindex_)?sesame_/.test(name))).toEqual([]);
    expect((await raw.rows<{ name: string }>('select name from sesame_kysely_migration order by name')).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    expect(await raw.rows('select email from sesame_users')).toEqual([{ email: flow.email }]);
    expect((await raw.rows<{ n: number | string }>('select count(*) as n from sesame_rate_limits'))[0]?.n).not.toBe(0);
    expect((await raw.rows<{ n: number | string }>('select count(*) as n from sesame_auth_events'))[0]?.n).not.toBe(0);

    // The host's own Kysely migrator still sees only its own history and applies its next migration.
    await runHostMigrator(raw);
    expect((await raw.rows<{ name: string }>('select name from kysely_migration order by name')).map((r) => r.name)).toEqual(['2024_01_host_init', '2024_02_host_karma_index']);
  });

  describe.each([
    { made: "today's schema", upTo: undefined },
    { made: 'an older schema (up to 0006_auth_events)', upTo: '0006_auth_events' },
  ])('made before the table prefix, from $made', ({ upTo }) => {
    it('keeps its table names under the default (no prefix), is migrated to the latest, and serves its existing sessions and the seed flow', async () => {
      const raw = await database(engine.name);
      const old = await openStorage(raw.url, upTo === undefined ? {} : { upTo });
      await old.close();
      const now = Date.now();
      const hash = await new BcryptHasher(4).hash('old password');
      await raw.run([
        `insert into users (email, hashed_password, created_at, updated_at) values ('old@x.io', '${hash}', ${now}, ${now})`,
        `insert into sessions (id_hash, user_id, created_at, expires_at) select '${sha256('old-session')}', id, ${now}, ${now + 3_600_000} from users`,
      ]);

      const server = await serve(raw.url);
      expect(server.sesame.storage.tablePrefix).toBe('');
      await profileLogged(server.url, 'old-session', 'old@x.io');
      await logIn(server.url, 'old@x.io', 'old password');
      await runSeedFlow(server.url);
      await server.stop();

      expect(await raw.tables()).toEqual(UNPREFIXED_TABLES);
      expect((await raw.rows<{ name: string }>('select name from kysely_migration order by name')).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    });
  });

  describe('with migrations off (migrate: false)', () => {
    it('refuses an empty database, saying what to apply, and creates nothing', async () => {
      const raw = await database(engine.name);
      const expected = `the database has no Sesame schema (no sesame_kysely_migration table) and migrations are off (migrate: false): apply the statements of migrationSql({ engine: '${engine.name}', tablePrefix: 'sesame_' }) first, or start once with migrations on`;
      await expect(openStorage(raw.url, { tablePrefix: 'sesame_', migrate: false })).rejects.toThrow(expected);
      await expect(serve(raw.url, { tablePrefix: 'sesame_', migrate: false })).rejects.toBeInstanceOf(SchemaVersionError);
      expect(await raw.tables()).toEqual([]);
    });

    it("starts on the schema migrationSql's statements build, the same schema the migrator builds, and passes the seed flow", async () => {
      const raw = await database(engine.name);
      await raw.run(await migrationSql({ engine: engine.name, tablePrefix: 'sesame_' }));
      const server = await serve(raw.url, { tablePrefix: 'sesame_', migrate: false });
      await runSeedFlow(server.url);
      await server.stop();

      const migrated = await database(engine.name);
      await (await openStorage(migrated.url, { tablePrefix: 'sesame_' })).close();
      expect(await raw.schema()).toEqual(await migrated.schema());
      // With migrations back on, Sesame finds nothing left to do.
      await (await openStorage(raw.url, { tablePrefix: 'sesame_' })).close();
      expect((await raw.rows<{ name: string }>('select name from sesame_kysely_migration order by name')).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    });

    it('refuses a schema that is behind, naming the missing migrations and the call that upgrades it; the upgrade SQL makes it start', async () => {
      const raw = await database(engine.name);
      await (await openStorage(raw.url, { tablePrefix: 'sesame_', upTo: '0006_auth_events' })).close();
      const refusal = await openStorage(raw.url, { tablePrefix: 'sesame_', migrate: false }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(SchemaVersionError);
      expect((refusal as SchemaVersionError).missing).toEqual(['0007_verification_tokens', '0008_users_credential_version', '0009_users_disabled', '0010_sessions_devices', '0011_admin_tokens', '0012_mail_outbox', '0013_users_email_verified', '0014_verification_codes', '0015_mail_channels', '0016_signup_invitations']);
      expect((refusal as Error).message).toBe(
        "the database's Sesame schema is behind this Sesame: migrations 0007_verification_tokens, 0008_users_credential_version, 0009_users_disabled, 0010_sessions_devices, 0011_admin_tokens, 0012_mail_outbox, 0013_users_email_verified, 0014_verification_codes, 0015_mail_channels, 0016_signup_invitations are not applied and migrations are off (migrate: false): " +
          `apply the statements of migrationSql({ engine: '${engine.name}', tablePrefix: 'sesame_', after: '0006_auth_events' }) first, or start once with migrations on`,
      );

      await raw.run(await migrationSql({ engine: engine.name, tablePrefix: 'sesame_', after: '0006_auth_events' }));
      await (await openStorage(raw.url, { tablePrefix: 'sesame_', migrate: false })).close();
      const migrated = await database(engine.name);
      await (await openStorage(migrated.url, { tablePrefix: 'sesame_' })).close();
      expect(await raw.schema()).toEqual(await migrated.schema());
    });

    it('refuses a schema a newer Sesame migrated', async () => {
      const raw = await database(engine.name);
      await raw.run(await migrationSql({ engine: engine.name, tablePrefix: 'sesame_' }));
      await raw.run(["insert into sesame_kysely_migration (name, timestamp) values ('0999_from_the_future', '2030-01-01T00:00:00.000Z')"]);
      await expect(openStorage(raw.url, { tablePrefix: 'sesame_', migrate: false })).rejects.toThrow(
        "the database's Sesame schema is newer than this Sesame: it has migrations 0999_from_the_future, which this version does not know; run the newer Sesame",
      );
    });
  });
});

describe('migrationSql', () => {
  it('refuses an unknown starting point and a bad prefix', async () => {
    await expect(migrationSql({ engine: 'sqlite', after: '0042_nothing' })).rejects.toThrow('there is no migration named "0042_nothing"');
    await expect(migrationSql({ engine: 'postgres', tablePrefix: 'x-' })).rejects.toThrow('tablePrefix must be letters');
  });

  it('names only prefixed tables and indexes under a prefix, and none without', async () => {
    const prefixed = (await migrationSql({ engine: 'postgres', tablePrefix: 'zz_' })).join('\n');
    const names = [...prefixed.matchAll(/(?:table|index|into|references|on) "(\w+)"/g)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => !name.startsWith('zz_'))).toEqual([]);
    expect((await migrationSql({ engine: 'sqlite' })).join('\n')).not.toMatch(/"zz_/);
  });
});
