/**
 * The whole database as Kysely sees it: one interface naming every table, shared by both engines.
 * @module
 */
import type { SessionsTable } from '../user/session.js';
import type { UsersTable } from '../user/user.js';

/** Maps table names to their column types; Kysely derives every query's types from it. */
export interface Database {
  /** Accounts. */
  users: UsersTable;
  /** Signed-in devices. */
  sessions: SessionsTable;
}
