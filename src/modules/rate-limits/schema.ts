/**
 * The `rate_limits` table: counters of rate-limiter-flexible's SQLite and PostgreSQL stores, in its own column layout.
 * @module
 */

declare module '../../kernel/database/tables.js' {
  /** The rate-limits module's table. */
  interface SesameTables {
    /** Rate-limit counters, written by rate-limiter-flexible's database stores; Sesame only purges them. */
    rate_limits: RateLimitsTable;
  }
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
