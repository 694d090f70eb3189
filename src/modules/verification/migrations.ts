/**
 * The verification module's migration: `verification_tokens`, with the live reset tokens moved out of `users` and
 * the `users.reset_token` columns dropped; `0014` adds short codes, their attempts and the address an email change confirms.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates `verification_tokens` and moves reset tokens into it. */
export const verificationMigrations: MigrationSet = (traits) => ({
  '0007_verification_tokens': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('verification_tokens')
        .addColumn('id', 'integer', (c) => traits.autoIncrementPrimaryKey(c))
        .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .execute();
      await db.schema.createIndex('verification_tokens_user_idx').on('verification_tokens').columns(['user_id', 'purpose']).execute();
      await db.schema.createIndex('verification_tokens_expires_idx').on('verification_tokens').column('expires_at').execute();
      // Live tokens keep working across the upgrade; when one was issued was not recorded, so its row's last change
      // stands in (the issue set it). Dead ones are left behind: they could never be spent.
      // Tables are named through sql.table, not as text, so the table prefix reaches them (without one the SQL means
      // what it always did).
      await sql`
        insert into ${sql.table('verification_tokens')} (purpose, user_id, token_hash, created_at, expires_at)
        select 'password_reset', id, reset_token, updated_at, reset_token_expires_at
        from ${sql.table('users')}
        where reset_token is not null and reset_token_expires_at > ${Date.now()}
      `.execute(db);
      await db.schema.dropIndex('users_reset_token_idx').execute();
      await db.schema.alterTable('users').dropColumn('reset_token').execute();
      await db.schema.alterTable('users').dropColumn('reset_token_expires_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('reset_token', 'varchar(250)').execute();
      await db.schema.alterTable('users').addColumn('reset_token_expires_at', 'bigint').execute();
      await db.schema.createIndex('users_reset_token_idx').on('users').column('reset_token').execute();
      const users = sql.table('users');
      const tokens = sql.table('verification_tokens');
      const owner = sql.ref('users.id');
      await sql`
        update ${users} set
          reset_token = (select t.token_hash from ${tokens} t where t.user_id = ${owner} and t.purpose = 'password_reset' and t.consumed_at is null order by t.id desc limit 1),
          reset_token_expires_at = (select t.expires_at from ${tokens} t where t.user_id = ${owner} and t.purpose = 'password_reset' and t.consumed_at is null order by t.id desc limit 1)
      `.execute(db);
      await db.schema.dropTable('verification_tokens').execute();
    },
  },
  '0014_verification_codes': {
    // A short code beside each token (keyed hash, never the code), the wrong guesses made at it, and for an email
    // change the address the token confirms. Existing rows get no code: their links keep working.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('verification_tokens').addColumn('code_hash', 'varchar(64)').execute();
      await db.schema.alterTable('verification_tokens').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('verification_tokens').addColumn('new_email', 'varchar(320)').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('verification_tokens').dropColumn('new_email').execute();
      await db.schema.alterTable('verification_tokens').dropColumn('attempts').execute();
      await db.schema.alterTable('verification_tokens').dropColumn('code_hash').execute();
    },
  },
});
