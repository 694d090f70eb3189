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
export type TokenPurpose = 'password_reset';

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
  /** When it was spent (a token works once), or null. */
  consumed_at: number | null;
}
