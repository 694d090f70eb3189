/**
 * The users module's migrations. `0001` predates the split into modules and also created `sessions`; shipped
 * migrations are never edited, so it stays here whole. `0008` adds the credential version, `0009` the disabled state,
 * `0013` the verified state and the language mail is written in.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates `users` (and, historically, `sessions`). */
export const usersMigrations: MigrationSet = (traits) => ({
  '0001_users_and_sessions': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => traits.autoIncrementPrimaryKey(c))
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
  '0008_users_credential_version': {
    // Existing accounts start at version 0; only a password change or reset moves it.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('credential_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('credential_version').execute();
    },
  },
  '0009_users_disabled': {
    // A state of its own rather than a deleted or scrambled row: an operator can disable an account and enable it
    // again, with the reason kept beside it; null for every existing account, so no backfill.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('disabled_reason', 'varchar(256)').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('disabled_reason').execute();
      await db.schema.alterTable('users').dropColumn('disabled_at').execute();
    },
  },
  '0013_users_email_verified': {
    // Every account that predates verification is marked verified at its creation, so turning
    // REQUIRE_EMAIL_VERIFICATION on after an upgrade locks nobody out; only accounts registered afterwards start unverified.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('language', 'varchar(8)', (c) => c.notNull().defaultTo('en')).execute();
      await sql`update ${sql.table('users')} set email_verified_at = created_at`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('language').execute();
      await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
    },
  },
});
