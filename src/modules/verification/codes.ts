/**
 * The short codes mailed beside each link, for a person whose mail client breaks links or who reads mail on another
 * device: eight digits (shown `1234-5678`), kept only as a keyed hash, five guesses per token.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { SecretKey } from '../../kernel/secrets.js';
import type { TokenPurpose } from './schema.js';

/** Wrong guesses a token takes before its code stops working (its link still works). */
export const CODE_ATTEMPTS = 5;

/**
 * A fresh code, eight digits from the CSPRNG. With five guesses per token and at most three tokens an hour, a
 * guesser has 15 tries in 10^8 an hour: well under the one-in-a-million NIST SP 800-63B asks of a short secret.
 */
export function generateCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** The code as mailed, in two groups of four for reading aloud and typing. */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The digits of a typed code (spaces, dashes and dots dropped), or undefined when it cannot be a code Sesame sent. */
export function normaliseCode(typed: string): string | undefined {
  const digits = typed.replace(/[\s.-]/g, '');
  return /^\d{8}$/.test(digits) ? digits : undefined;
}

/**
 * The stored form of a code: an HMAC under a key derived from SECRET_KEY, bound to the purpose and the account, so
 * a copy of the database alone cannot try the 10^8 codes offline, and a code never works for another account.
 */
export function codeHash(secret: SecretKey, purpose: TokenPurpose, userId: number, code: string): string {
  return secret.mac('verification-code', `${purpose}:${userId}:${code}`);
}
