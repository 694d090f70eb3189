// Named prepared statements on PostgreSQL: every parameterised query (the session lookup included) is prepared once
// per connection, nothing is prepared when the setting is off, and a statement a migration made stale heals itself.
import { describe, expect, it } from 'vitest';
import { MAX_NAMED_STATEMENTS, statementName } from '../../../src/kernel/database/prepared-statements.js';
import { hashToken } from '../../../src/kernel/tokens.js';
import { KyselySessionStore, NO_IDLE_CUTOFF } from '../../../src/modules/sessions/index.js';
import { isCi, postgresAvailability, postgresEngine, type TestStorage } from '../../support/engines.js';

const suite = postgresAvailability.ok || isCi ? describe : describe.skip;

/** The statements prepared on the pool's one connection (pg_prepared_statements is per connection). */
async function prepared(storage: TestStorage): Promise<Array<{ name: string; statement: string }>> {
  if (storage.client.engine !== 'postgres') throw new Error('PostgreSQL only');
  const { rows } = await storage.client.pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name');
  return rows;
}

/** Opens a one-connection PostgreSQL storage with prepared statements on or off. */
async function open(preparedStatements: boolean): Promise<TestStorage> {
  if (!postgresAvailability.ok) throw new Error(postgresAvailability.reason);
  return postgresEngine.open({ poolSize: 1, preparedStatements });
}

describe('statementName', () => {
  it('names a text by its hash: the same text always gets the same name, another text another', () => {
    const a = statementName('select 1 where $1::int = 1');
    expect(a).toMatch(/^sesame_[A-Za-z0-9_-]{24}$/);
    expect(statementName('select 1 where $1::int = 1')).toBe(a);
    expect(statementName('select 2 where $1::int = 1')).not.toBe(a);
  });
});

suite(`prepared statements [postgres]${postgresAvailability.ok ? '' : ` (skipped: ${postgresAvailability.reason})`}`, () => {
  it('prepares the session lookup and the builder queries once on the connection, and reuses them', async () => {
    const storage = await open(true);
    try {
      expect(storage.client.engine === 'postgres' && storage.client.pool.options.max).toBe(1);
      const store = new KyselySessionStore(storage.kysely, storage.traits);
      const lookUp = (n: number): Promise<unknown> => store.findLive(hashToken(`no-such-${n}`), Date.now(), NO_IDLE_CUTOFF);
      const byEmail = (): Promise<unknown> => storage.kysely.selectFrom('users').select('id').where('email', '=', 'nobody@example.com').execute();
      expect(await lookUp(0)).toBeUndefined();
      expect(await byEmail()).toEqual([]);
      const statements = await prepared(storage);
      const lookup = statements.filter((row) => /from "sessions" inner join "users"/.test(row.statement));
      expect(lookup).toHaveLength(1);
      expect(lookup[0]?.name).toMatch(/^sesame_[A-Za-z0-9_-]{24}$/);
      expect(statements.filter((row) => /from "users" where "email" = \$1/.test(row.statement))).toHaveLength(1);
      // More of the same queries: reused, not prepared again under other names.
      expect(await lookUp(1)).toBeUndefined();
      expect(await lookUp(2)).toBeUndefined();
      expect(await byEmail()).toEqual([]);
      expect(await prepared(storage)).toEqual(statements);
    } finally {
      await storage.close();
    }
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS off, not even what a library names itself', async () => {
    const storage = await open(false);
    try {
      if (storage.client.engine !== 'postgres') throw new Error('PostgreSQL only');
      const store = new KyselySessionStore(storage.kysely, storage.traits);
      expect(await store.findLive(hashToken('no-such'), Date.now(), NO_IDLE_CUTOFF)).toBeUndefined();
      await storage.kysely.selectFrom('users').select('id').where('email', '=', 'nobody@example.com').execute();
      // As the database rate-limit store does: a query that carries its own name.
      const named = await storage.client.pool.query({ name: 'library-named', text: 'SELECT $1::int AS n', values: [7] });
      expect(named.rows).toEqual([{ n: 7 }]);
      expect(await prepared(storage)).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('a statement that a new column made stale fails once, then is prepared afresh', async () => {
    const storage = await open(true);
    try {
      const byId = (): Promise<unknown[]> => storage.kysely.selectFrom('users').selectAll().where('id', '=', 1).execute();
      expect(await byId()).toEqual([]);
      await storage.kysely.schema.alterTable('users').addColumn('nickname', 'text').execute();
      await expect(byId()).rejects.toMatchObject({ code: '0A000' });
      expect(await byId()).toEqual([]);
      expect(await byId()).toEqual([]);
    } finally {
      await storage.close();
    }
  });
});

describe('statementName cap', () => {
  it(`names at most ${MAX_NAMED_STATEMENTS} texts; later ones run unnamed rather than grow every connection`, () => {
    for (let i = 0; i < MAX_NAMED_STATEMENTS; i += 1) statementName(`select ${i} where $1::int = 0 -- cap`);
    expect(statementName(`select 'past the cap' where $1::int = 0`)).toBeUndefined();
    // Texts named before the cap keep their names.
    expect(statementName('select 1 where $1::int = 1')).toMatch(/^sesame_/);
  });
});
