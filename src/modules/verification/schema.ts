/**
 * The `verification_tokens` table: one-time tokens sent to an account's owner (password reset now; email
 * verification and change later), each stored as its SHA-256 with its purpose, expiry and the time it was spent.
 * @module
 */
import type { Generated } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The verification module's table. */
  interface SesameTables {
    /** One-time tokens, hashed. */
    verification_tokens: VerificationTokensTable;
  }
}

/** What a token is for; a token of one purpose is never accepted for another. */
export type TokenPurpose = 'password_reset' | 'email_verify' | 'email_change';

/** Column types of `verification_tokens`. */
export interface VerificationTokensTable {
  /** Assigned by the database. */
  id: Generated<number>;
  /** What the token is for. */
  purpose: TokenPurpose;
  /** The account it was issued to; deleting the account deletes its tokens. */
  user_id: number;
  /** SHA-256 (hex) of the token: the raw token only ever lives in what carries it to the owner. Unique. */
  token_hash: string;
  /** When it was issued, in epoch ms. */
  created_at: number;
  /** When it stops working, in epoch ms. */
  expires_at: number;
  /** Keyed hash (HMAC under SECRET_KEY) of the short code mailed beside the token, or null for a token without one. */
  code_hash: Generated<string | null>;
  /** Wrong codes tried against this token; at five it no longer accepts a code (its link still works). */
  attempts: Generated<number>;
  /** For `email_change`: the address the token confirms (it becomes the account's email when spent); else null. */
  new_email: Generated<string | null>;
  /** When it was spent (a token works once), or null. */
  consumed_at: number | null;
}
