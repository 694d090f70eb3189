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
  /** Rate-limit counters, written by rate-limiter-flexible's database stores; Sesame only purges them. */
  rate_limits: RateLimitsTable;
}

/** Column layout rate-limiter-flexible expects of its SQLite and PostgreSQL tables. */
export interface RateLimitsTable {
  /** Limiter prefix plus the counted key (route and IP, or route and email). */
  key: string;
  /** Requests or failures counted in the current window. */
  points: number;
  /** When the window ends, in epoch ms (null: never). */
  expire: number | null;
}
