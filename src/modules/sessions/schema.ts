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
   * When the session was last used (epoch ms), refreshed at most once a minute (more often under a short inactivity
   * timeout); null until then, when `created_at` stands in. It serves both the inactivity timeout and the session
   * list's `last_seen_at`, so recording a use stays one write.
   */
  last_used_at: number | null;
  /** The `User-Agent` of the latest recorded use (or the login), cut to 256 characters, so a user can tell devices apart. */
  user_agent: string | null;
  /** The client address of the latest recorded use (or the login), after `TRUST_PROXY`. */
  ip: string | null;
  /** When the session was ended (logout, reset, change, revocation, inactivity), or null while it lives. */
  ended_at: number | null;
  /** Why it ended ({@link SessionEndReason}), or null while it lives. */
  end_reason: SessionEndReason | null;
}

/**
 * Why a session ended. An ended session keeps its row, marked, until its original expiry, so a later request with it
 * can be answered by the reason (a seed client logging out after a reset still gets the seed's redirect).
 */
export type SessionEndReason = 'logout' | 'password_reset' | 'password_change' | 'revoked' | 'expired' | 'disabled';

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
  /** The browser or client it was last used from, or null when none was recorded. */
  readonly userAgent: string | null;
  /** The address it was last used from, or null when none was recorded. */
  readonly ip: string | null;
  /** When it was last seen in use (its start until a use is recorded), in epoch milliseconds. */
  readonly lastSeenAt: number;
}

/**
 * Where a session is being used from: recorded at login and with each recorded use, so the session list names
 * devices a user can recognise.
 */
export interface SessionDevice {
  /** The request's `User-Agent`, if it sent one. */
  readonly userAgent?: string;
  /** The client's address as the server sees it (after `TRUST_PROXY`). */
  readonly ip?: string;
}

/** Longest user agent stored, the column's width: a client cannot make a session row large. */
export const MAX_SESSION_USER_AGENT = 256;

/** Longest address stored, the column's width (an IPv6 address with a zone fits). */
export const MAX_SESSION_IP = 64;
