// The table-prefix plugin on compiled SQL (no database): every table, index and constraint name gets the prefix,
// aliases, CTE names and columns do not, raw fragments that name tables through sql.table / sql.ref are reached, and
// the prefix setting is checked at start-up.
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { connectStorage } from '../../../src/kernel/database/storage.js';
import { checkTablePrefix, TablePrefixPlugin, tablePrefixProblem } from '../../../src/kernel/database/table-prefix.js';
import { createSesame } from '../../../src/sesame.js';

/** A query builder that compiles PostgreSQL SQL through the plugin and runs nothing. */
function builder(prefix = 'sesame_'): Kysely<Record<string, Record<string, unknown>>> {
  return new Kysely({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
    plugins: [new TablePrefixPlugin(prefix)],
  });
}

describe('TablePrefixPlugin', () => {
  const db = builder();

  it('prefixes tables in from, joins, qualified columns and selectAll, not columns', () => {
    const query = db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select('sessions.created_at')
      .where('sessions.id_hash', '=', 'x')
      .compile();
    expect(query.sql).toBe(
      'select "sesame_users".*, "sesame_sessions"."created_at" from "sesame_sessions" inner join "sesame_users" on "sesame_users"."id" = "sesame_sessions"."user_id" where "sesame_sessions"."id_hash" = $1',
    );
  });

  it('prefixes insert, update and delete targets, and a subquery inside an insert', () => {
    expect(db.insertInto('users').values({ email: 'a' }).compile().sql).toBe('insert into "sesame_users" ("email") values ($1)');
    expect(db.updateTable('users').set({ email: 'a' }).where('id', '=', 1).compile().sql).toBe('update "sesame_users" set "email" = $1 where "id" = $2');
    expect(db.deleteFrom('rate_limits').where('expire', '<=', 1).compile().sql).toBe('delete from "sesame_rate_limits" where "expire" <= $1');
    const insertSelect = db
      .insertInto('sessions')
      .columns(['user_id'])
      .expression((eb) => eb.selectFrom('users').select('users.id').where('users.id', '=', 1).forShare())
      .compile();
    expect(insertSelect.sql).toBe('insert into "sesame_sessions" ("user_id") select "sesame_users"."id" from "sesame_users" where "sesame_users"."id" = $1 for share');
  });

  it('leaves table aliases, derived tables and CTE names alone', () => {
    expect(db.selectFrom('users as u').select('u.id').compile().sql).toBe('select "u"."id" from "sesame_users" as "u"');
    const derived = db.selectFrom((eb) => eb.selectFrom('users').select('id').as('recent')).select('recent.id').compile();
    expect(derived.sql).toBe('select "recent"."id" from (select "id" from "sesame_users") as "recent"');
    const cte = db
      .with('live', (eb) => eb.selectFrom('sessions').select('user_id'))
      .selectFrom('live')
      .innerJoin('users', 'users.id', 'live.user_id')
      .select('users.email')
      .compile();
    expect(cte.sql).toBe(
      'with "live" as (select "user_id" from "sesame_sessions") select "sesame_users"."email" from "live" inner join "sesame_users" on "sesame_users"."id" = "live"."user_id"',
    );
  });

  it('reaches tables a raw fragment names through sql.table and sql.ref, and nothing written as text', () => {
    const lastUsed = sql<number>`coalesce(${sql.ref('sessions.last_used_at')}, ${sql.ref('sessions.created_at')})`;
    expect(db.selectFrom('sessions').select(lastUsed.as('last')).compile().sql).toBe(
      'select coalesce("sesame_sessions"."last_used_at", "sesame_sessions"."created_at") as "last" from "sesame_sessions"',
    );
    expect(sql`delete from ${sql.table('users')} where name = 'users'`.compile(db).sql).toBe(`delete from "sesame_users" where name = 'users'`);
  });

  it('prefixes schema statements: tables, foreign-key targets, indexes (created and dropped) and named constraints', () => {
    const create = db.schema
      .createTable('sessions')
      .addColumn('user_id', 'integer', (c) => c.references('users.id'))
      .addColumn('code', 'varchar(8)')
      .addUniqueConstraint('sessions_code_key', ['code'])
      .addForeignKeyConstraint('sessions_user_fk', ['user_id'], 'users', ['id'])
      .compile();
    expect(create.sql).toBe(
      'create table "sesame_sessions" ("user_id" integer references "sesame_users" ("id"), "code" varchar(8), constraint "sesame_sessions_code_key" unique ("code"), constraint "sesame_sessions_user_fk" foreign key ("user_id") references "sesame_users" ("id"))',
    );
    expect(db.schema.createIndex('users_email_idx').on('users').column('email').compile().sql).toBe('create index "sesame_users_email_idx" on "sesame_users" ("email")');
    expect(db.schema.dropIndex('users_email_idx').compile().sql).toBe('drop index "sesame_users_email_idx"');
    expect(db.schema.alterTable('users').dropConstraint('users_email_key').compile().sql).toBe('alter table "sesame_users" drop constraint "sesame_users_email_key"');
    expect(db.schema.alterTable('users').renameTo('accounts').compile().sql).toBe('alter table "sesame_users" rename to "sesame_accounts"');
    expect(db.schema.dropTable('users').compile().sql).toBe('drop table "sesame_users"');
  });

  it('prefixes the constraint an upsert names', () => {
    const upsert = db
      .insertInto('users')
      .values({ email: 'a' })
      .onConflict((c) => c.constraint('users_email_key').doNothing())
      .compile();
    expect(upsert.sql).toBe('insert into "sesame_users" ("email") values ($1) on conflict on constraint "sesame_users_email_key" do nothing');
  });
});

describe('table prefix checks', () => {
  it('accepts none, and letters, digits and underscores starting with a letter, up to 20 characters', () => {
    for (const prefix of ['', 'sesame_', 'auth', 'A1_b2', 'x'.repeat(20)]) expect(tablePrefixProblem(prefix), prefix).toBeUndefined();
  });

  it('refuses anything else, saying why', () => {
    expect(tablePrefixProblem('x'.repeat(21))).toBe('must be at most 20 characters, got 21');
    for (const prefix of ['_sesame', '1sesame', 'sesame-', 'se same', 'sesame.', 'sé', '"x']) {
      expect(tablePrefixProblem(prefix), prefix).toMatch(/^must be letters, digits and underscores, starting with a letter/);
    }
    expect(() => checkTablePrefix('a"b')).toThrow('tablePrefix must be letters');
    expect(() => new TablePrefixPlugin('1x')).toThrow('tablePrefix must be letters');
    expect(() => connectStorage('sqlite::memory:', { tablePrefix: 'x;drop' })).toThrow('tablePrefix must be letters');
  });

  it('refuses a tablePrefix that contradicts the storage handed to createSesame', async () => {
    const storage = connectStorage('sqlite::memory:', { tablePrefix: 'sesame_' });
    try {
      expect(storage.tablePrefix).toBe('sesame_');
      await expect(createSesame(loadConfig({ LOG_LEVEL: 'silent' }), { storage, tablePrefix: '' })).rejects.toThrow('tablePrefix "" differs from the given storage\'s "sesame_"');
    } finally {
      await storage.close();
    }
  });

  it('reads DATABASE_TABLE_PREFIX (default none) and refuses a bad one at start-up, naming it', () => {
    expect(loadConfig({}).database.tablePrefix).toBe('');
    expect(loadConfig({ DATABASE_TABLE_PREFIX: 'sesame_' }).database.tablePrefix).toBe('sesame_');
    expect(() => loadConfig({ DATABASE_TABLE_PREFIX: 'sesame-' })).toThrow(/DATABASE_TABLE_PREFIX must be letters, digits and underscores/);
    expect(() => loadConfig({ DATABASE_TABLE_PREFIX: 'a'.repeat(21) })).toThrow(/DATABASE_TABLE_PREFIX must be at most 20 characters/);
  });
});
