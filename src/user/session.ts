/**
 * The `sessions` table: one row per signed-in device, replacing the seed's single `users.session_id`.
 * @module
 */

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
}
