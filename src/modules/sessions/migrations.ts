/**
 * The sessions module's migrations (its table itself came with `0001`, in the users module, before the split).
 * @module
 */
import type { Kysely } from 'kysely';
import type { MigrationSet } from '../../kernel/database/migrator.js';
import { MAX_SESSION_IP, MAX_SESSION_USER_AGENT } from './schema.js';

/** Adds what sessions gained after `0001`. */
export const sessionsMigrations: MigrationSet = (traits) => ({
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
  '0010_sessions_devices': {
    // Where each session is used from, for the session list; null for rows that exist already (shown as unknown).
    // The last use needs no column of its own: `last_used_at` already holds it. The same migration widens
    // `auth_events.request_id` to the 128 characters an accepted X-Request-Id may have, because on PostgreSQL a
    // longer id than the column would fail the event's insert (and the request with a 500); SQLite ignores lengths.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').addColumn('user_agent', `varchar(${MAX_SESSION_USER_AGENT})`).execute();
      await db.schema.alterTable('sessions').addColumn('ip', `varchar(${MAX_SESSION_IP})`).execute();
      if (traits.engine === 'postgres') {
        await db.schema.alterTable('auth_events').alterColumn('request_id', (c) => c.setDataType('varchar(128)')).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      // `auth_events.request_id` stays 128 wide: narrowing it would fail on the longer ids stored meanwhile, and the
      // wider column serves the older code just as well.
      await db.schema.alterTable('sessions').dropColumn('ip').execute();
      await db.schema.alterTable('sessions').dropColumn('user_agent').execute();
    },
  },
});
