/**
 * The sessions module's migrations (its table itself came with `0001`, in the users module, before the split).
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';

/** Adds what sessions gained after `0001`. */
export const sessionsMigrations: MigrationSet = () => ({
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
  '0004_session_end_reason': {
    // Ended sessions are marked rather than deleted (until their original expiry), with why they ended; rows that
    // exist already are live, so null is right for them.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').addColumn('ended_at', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('end_reason', 'varchar(32)').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').dropColumn('end_reason').execute();
      await db.schema.alterTable('sessions').dropColumn('ended_at').execute();
    },
  },
});
