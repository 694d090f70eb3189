/**
 * The sign-up module's migration: `invitations` and `spent_challenges`, on both engines.
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates the invitation and spent-challenge tables. */
export const signupMigrations: MigrationSet = (traits) => ({
  '0016_signup_invitations': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('invitations')
        .addColumn('id', 'integer', (c) => traits.autoIncrementPrimaryKey(c))
        .addColumn('email', 'varchar(320)', (c) => c.notNull())
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .execute();
      await db.schema.createIndex('invitations_expires_idx').on('invitations').column('expires_at').execute();
      await db.schema
        .createTable('spent_challenges')
        .addColumn('challenge', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('spent_challenges_expires_idx').on('spent_challenges').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('spent_challenges').execute();
      await db.schema.dropTable('invitations').execute();
    },
  },
});
