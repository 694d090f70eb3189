/**
 * Versioned schema migrations, applied at start-up so data survives restarts (the seed dropped everything instead).
 * @module
 */
import type { Kysely} from 'kysely';
import { Migrator, sql, type Migration } from 'kysely';
import type { Engine } from './storage.js';

/** Every migration, keyed by a name whose sort order is the apply order; append, never edit a shipped one. */
function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_users_and_sessions': {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('users')
          .addColumn('id', 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
          .addColumn('hashed_password', 'varchar(250)', (c) => c.notNull())
          .addColumn('reset_token', 'varchar(250)')
          .addColumn('reset_token_expires_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('users_reset_token_idx').on('users').column('reset_token').execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
        await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('sessions').execute();
        await db.schema.dropTable('users').execute();
      },
    },
    '0002_rate_limits': {
      // Counters for rate-limiter-flexible's SQLite/PostgreSQL stores (its own column layout), created here rather
      // than by the library at start-up, so several processes starting at once cannot race to create it.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', 'bigint')
          .execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.dropTable('rate_limits').execute();
      },
    },
    '0003_session_last_used': {
      // When a session was last used, for the inactivity timeout (SESSION_IDLE_TIMEOUT); null means "not since it
      // began", so existing rows need no backfill.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.alterTable('sessions').addColumn('last_used_at', 'bigint').execute();
      },
      async down(db: Kysely<unknown>): Promise<void> {
        await db.schema.alterTable('sessions').dropColumn('last_used_at').execute();
      },
    },
  };
}

/** Applies every pending migration; several processes may call it at once (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any -- the migrator works below the typed schema
  const all = migrations(engine);
  // On PostgreSQL, pin Kysely's bookkeeping tables to the schema our tables go to: left unset, the migrator looks for
  // `kysely_migration` in *every* schema of the database, so another schema's copy (another app, another Sesame)
  // makes it skip creating ours and then fail on "relation kysely_migration_lock does not exist".
  const migrationTableSchema = engine === 'postgres' ? await currentSchema(db) : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(all) },
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}

/** The schema unqualified names resolve to on this PostgreSQL connection (first existing one in `search_path`). */
async function currentSchema(db: Kysely<unknown>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}
