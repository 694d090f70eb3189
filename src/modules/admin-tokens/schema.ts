/**
 * The `admin_tokens` table: the bearer tokens the admin API accepts, each stored as its SHA-256 only (the raw token
 * is shown once, when the CLI creates it), with a name, its creator, and when it was last used or revoked.
 * @module
 */
import type { Generated } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The admin-tokens module's table. */
  interface SesameTables {
    /** Admin API bearer tokens, hashed. */
    admin_tokens: AdminTokensTable;
  }
}

/** Column types of `admin_tokens`. */
export interface AdminTokensTable {
  /** Assigned by the database; the id the audit log's actor `admin-token:<id>` names. */
  id: Generated<number>;
  /** What the operator called it (who or what uses it), for `admin-tokens list`. */
  name: string;
  /** SHA-256 (hex) of the token. Unique. */
  token_hash: string;
  /** Who created it (the CLI's actor). */
  created_by: string;
  /** When it was created, in epoch ms. */
  created_at: number;
  /** When a request last presented it, in epoch ms, or null. */
  last_used_at: number | null;
  /** When it was revoked, or null while it works. */
  revoked_at: number | null;
}
