/**
 * The sign-up module's tables: `invitations` (an operator's single-use, expiring link, stored as its SHA-256 with
 * the address it fixes) and `spent_challenges` (the proof-of-work challenges already used, kept until they expire
 * so a solved one cannot be replayed).
 * @module
 */
import type { Generated } from 'kysely';

declare module '../../kernel/database/tables.js' {
  /** The sign-up module's tables. */
  interface SesameTables {
    /** Invitations to sign up, hashed. */
    invitations: InvitationsTable;
    /** Challenges already spent, until their expiry. */
    spent_challenges: SpentChallengesTable;
  }
}

/** Column types of `invitations`. */
export interface InvitationsTable {
  /** Assigned by the database. */
  id: Generated<number>;
  /** The address the invitation fixes (normalised): the account it creates has this address and no other. */
  email: string;
  /** SHA-256 (hex) of the token: the raw token only ever lives in the mail that carries it. Unique. */
  token_hash: string;
  /** Who sent it (`cli:<user>`, `admin-token:<id>`), for the audit of who let whom in. */
  created_by: string;
  /** When it was sent, in epoch ms. */
  created_at: number;
  /** When it stops working, in epoch ms. */
  expires_at: number;
  /** When it was spent (an invitation works once), or null. */
  consumed_at: number | null;
}

/** Column types of `spent_challenges`. */
export interface SpentChallengesTable {
  /** The challenge's hash (hex SHA-256, as the challenge carries it): unique per challenge, so the primary key. */
  challenge: string;
  /** When the challenge itself expires, in epoch ms: past it the row can go, the challenge being refused anyway. */
  expires_at: number;
}
