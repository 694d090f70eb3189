/**
 * The audit module's migration: the `auth_events` table and the indexes its readers and its retention purge use.
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates `auth_events`. */
export const auditMigrations: MigrationSet = (traits) => ({
  '0006_auth_events': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('auth_events')
        .addColumn('id', 'integer', (c) => traits.autoIncrementPrimaryKey(c))
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('email_pseudonym', 'varchar(64)')
        .addColumn('actor', 'varchar(128)', (c) => c.notNull())
        .addColumn('request_id', 'varchar(64)')
        .addColumn('ip', 'varchar(64)')
        .addColumn('user_agent', 'varchar(256)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('auth_events_user_idx').on('auth_events').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('auth_events_created_idx').on('auth_events').column('created_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('auth_events').execute();
    },
  },
});
