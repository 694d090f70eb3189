// The migrator on real databases: a migration that fails halfway leaves nothing of itself (no table, no index, no
// column, no bookkeeping row), on SQLite as on PostgreSQL, so the next start begins from a clean schema; and its
// bookkeeping tables take the table prefix.
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isOtherSchemaVanishing, migrateToLatest, type MigrationSet } from '../../../src/kernel/database/migrator.js';
import { connectStorage, type Storage } from '../../../src/kernel/database/storage.js';
import { MIGRATIONS } from '../../../src/sesame.js';
import { describeEngines } from '../../support/engines.js';
import { emptyDatabase, type RawDatabase } from '../../support/raw-database.js';
import { ALL_MIGRATIONS } from '../../support/migrations.js';

/** Two migrations after Sesame's: the first succeeds; the second builds a table, an index and a column, then fails. */
const failingAfterwards: MigrationSet = () => ({
  '0900_fine': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('fine_table').addColumn('id', 'integer').execute();
    },
  },
  '0901_fails_halfway': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('half_table').addColumn('id', 'integer').execute();
      await db.schema.createIndex('half_table_idx').on('half_table').column('id').execute();
      await db.schema.alterTable('users').addColumn('half_column', 'integer').execute();
      throw new Error('the disk is full, say');
    },
  },
});

describeEngines('migrations are all-or-nothing', (engine) => {
  let raw: RawDatabase;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    storage = undefined;
    await raw.drop();
  });

  describe.each(['', 'sesame_'])('table prefix %j', (tablePrefix) => {
    it('a failure on an empty database leaves no table at all but the empty bookkeeping, and the next start migrates', async () => {
      raw = await emptyDatabase(engine.name, 'migrator');
      storage = connectStorage(raw.url, { tablePrefix });
      await expect(migrateToLatest(storage, [...MIGRATIONS, failingAfterwards])).rejects.toThrow('database migration 0901_fails_halfway failed: Error: the disk is full, say');
      // Kysely creates its own two tables before the transaction; everything the migrations made is rolled back.
      expect(await raw.tables()).toEqual([`${tablePrefix}kysely_migration`, `${tablePrefix}kysely_migration_lock`]);
      expect(await raw.rows(`select name from ${tablePrefix}kysely_migration`)).toEqual([]);

      await migrateToLatest(storage, MIGRATIONS);
      expect((await raw.rows<{ name: string }>(`select name from ${tablePrefix}kysely_migration order by name`)).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    });

    it('a failure after earlier migrations were applied leaves them as they were, without the failed ones', async () => {
      raw = await emptyDatabase(engine.name, 'migrator');
      storage = connectStorage(raw.url, { tablePrefix });
      await migrateToLatest(storage, MIGRATIONS);
      const before = await raw.schema();
      await expect(migrateToLatest(storage, [...MIGRATIONS, failingAfterwards])).rejects.toThrow('0901_fails_halfway');
      // Not the table, the index or the column of the failed migration, nor the table of the one before it in the run.
      expect(await raw.schema()).toEqual(before);
      expect(await raw.tables()).not.toContain(`${tablePrefix}half_table`);
      expect(await raw.rows(`select name from ${tablePrefix}kysely_migration where name > '0900'`)).toEqual([]);
      // Sesame still works on it.
      await storage.kysely.insertInto('users').values({ email: 'a@x.io', hashed_password: 'h', created_at: 1, updated_at: 1 }).execute();
      expect(await storage.kysely.selectFrom('users').select('email').execute()).toEqual([{ email: 'a@x.io' }]);
    });
  });
});

describe('a migration run that met another client dropping its objects', () => {
  // Parallel suites (and other applications) drop schemas while Kysely's migrator lists every schema's tables; the
  // run applied nothing then and is tried again, but a missing table of our own schema is a real fault.
  it('is tried again when a dropped schema or another schema\'s dropped table failed the catalogue read', () => {
    expect(isOtherSchemaVanishing({ code: '3F000', message: 'schema "sesame_svc_1" does not exist' }, 'mine')).toBe(true);
    expect(isOtherSchemaVanishing({ code: '42P01', message: 'relation "sesame_host_b9d2.sesame_rate_limits" does not exist' }, 'mine')).toBe(true);
    const altered = { code: '42703', message: 'column "reset_token" of relation "users" does not exist', routine: 'pg_get_serial_sequence' };
    expect(isOtherSchemaVanishing(altered, 'mine')).toBe(true);
  });

  it('is not tried again for our own schema, an unqualified relation, another code, or no error', () => {
    expect(isOtherSchemaVanishing({ code: '42P01', message: 'relation "mine.users" does not exist' }, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing({ code: '42P01', message: 'relation "users" does not exist' }, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing({ code: '42P01' }, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing({ code: '42703', message: 'column "x" does not exist', routine: 'errorMissingColumn' }, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing({ code: '23505', message: 'relation "other.t" does not exist' }, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing(undefined, 'mine')).toBe(false);
    expect(isOtherSchemaVanishing(new Error('boom'), 'mine')).toBe(false);
  });
});
