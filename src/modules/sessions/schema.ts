/**
 * The `sessions` table: one row per signed-in device, replacing the seed's single `users.session_id`.
 * @module
 */

declare module '../../kernel/database/tables.js' {
  /** The sessions module's table. */
  interface SesameTables {
    /** Signed-in devices. */
    sessions: SessionsTable;
  }
}

/** Column types of `sessions`; the raw session id is never stored, only its SHA-256. */
export interface SessionsTable {
  /** SHA-256 (hex) of the session id: the primary key, so the per-request check is one index probe. */
  id_hash: string;
  /** Owner of the session; the foreign key cascades so deleting a user ends its sessions. */
  user_id: number;
  /** When the session began, in epoch milliseconds. */
  created_at: number;
  /** When the session stops working, in epoch milliseconds. */
  expires_at: number;
  /**
   * When the session was last used (epoch ms), kept only when an inactivity timeout is set and refreshed at most
   * once a minute; null until then, when `created_at` stands in.
   */
  last_used_at: number | null;
  /** When the session was ended (logout, reset, change, revocation, inactivity), or null while it lives. */
  ended_at: number | null;
  /** Why it ended ({@link SessionEndReason}), or null while it lives. */
  end_reason: SessionEndReason | null;
}

/**
 * Why a session ended. An ended session keeps its row, marked, until its original expiry, so a later request with it
 * can be answered by the reason (a seed client logging out after a reset still gets the seed's redirect).
 */
export type SessionEndReason = 'logout' | 'password_reset' | 'password_change' | 'revoked' | 'expired';

/**
 * What a user may see of one of their sessions (ASVS V7.5.2: view and terminate active sessions): never the id or
 * its hash, only a short handle to name it by.
 */
export interface SessionSummary {
  /** 16 hex digits taken from the stored hash: enough to tell a user's sessions apart, useless as a credential. */
  readonly handle: string;
  /** When it began, in epoch milliseconds. */
  readonly createdAt: number;
  /** When it stops working, in epoch milliseconds. */
  readonly expiresAt: number;
  /** Whether it is the session the request presented. */
  readonly current: boolean;
}
