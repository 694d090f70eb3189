/**
 * The `auth_events` table: an append-only record of what happened to accounts (who, when, from where), written in
 * the same transaction as the change it records.
 * @module
 */
import type { Generated, Selectable } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The audit module's table. */
  interface SesameTables {
    /** Account events, append-only. */
    auth_events: AuthEventsTable;
  }
}

/** Column types of `auth_events`. */
export interface AuthEventsTable {
  /** Assigned by the database, in insertion order. */
  id: Generated<number>;
  /** The event's type (`login.failed`). */
  type: string;
  /**
   * The account's id when the event is about an existing account. Not a foreign key: the record of what happened to
   * an account outlives the account (retention decides how long).
   */
  user_id: number | null;
  /**
   * HMAC-SHA-256 (keyed from `SECRET_KEY`) of the normalised email when the account does not exist: failed logins or
   * reset requests for one address can be told apart and counted without storing the address.
   */
  email_pseudonym: string | null;
  /** Who did it: `user`, later `admin-token:<id>` or `cli:<os user>`. */
  actor: string;
  /** The request's id, to find its log lines. */
  request_id: string | null;
  /** The client's address. */
  ip: string | null;
  /** The client's user agent, cut to 256 characters. */
  user_agent: string | null;
  /** When it happened, in epoch ms. */
  created_at: number;
  /** A small JSON object of facts (counts, reasons); never a secret or an email. */
  detail: string | null;
}

/** One stored event as read back. */
export type StoredAuthEvent = Selectable<AuthEventsTable>;
