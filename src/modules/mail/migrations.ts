/**
 * The mail module's migration: the `mail_outbox` table and the index dispatchers find due messages by; `0015`
 * the channel a row leaves by (mail or the signed webhook) and the index per-recipient limits count by.
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Creates `mail_outbox`. */
export const mailMigrations: MigrationSet = (traits) => ({
  '0012_mail_outbox': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'integer', (c) => traits.autoIncrementPrimaryKey(c))
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('recipient', 'varchar(320)', (c) => c.notNull())
        .addColumn('subject', 'varchar(250)', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'varchar(250)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['status', 'next_attempt_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('mail_outbox').execute();
    },
  },
  '0015_mail_channels': {
    // The signed webhook goes through the same outbox as mail: a row says which way it leaves. Existing rows are mail.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('mail_outbox').addColumn('channel', 'varchar(16)', (c) => c.notNull().defaultTo('email')).execute();
      await db.schema.createIndex('mail_outbox_recipient_idx').on('mail_outbox').columns(['recipient', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('mail_outbox_recipient_idx').execute();
      await db.schema.alterTable('mail_outbox').dropColumn('channel').execute();
    },
  },
});
