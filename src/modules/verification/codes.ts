/**
 * The short codes mailed beside each link, for a person whose mail client breaks links or who reads mail on another
 * device: eight digits (shown `1234-5678`), kept only as a keyed hash, five guesses per token.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { SecretKey, SecretKeyring } from '../../kernel/secrets.js';
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
  return secret.mac(CODE_KEY_PURPOSE, `${purpose}:${userId}:${code}`);
}

/** The HKDF purpose of the codes' key. */
const CODE_KEY_PURPOSE = 'verification-code';

/** A code's hashes under every key of the keyring, the current key's first. */
export type CodeHashes = readonly [string, ...string[]];

/**
 * A code's {@link codeHash} under every secret of the keyring, the current one first: a new code is stored under the
 * current key, and a typed code is accepted when it matches under any, so a code mailed before a rotation keeps
 * working until its token expires. The stored hash cannot say which key made it (a bare 64-hex HMAC filling its
 * column), so the reader tries each; there are at most a few keys, and each try is one HMAC.
 */
export function codeHashes(keys: SecretKeyring, purpose: TokenPurpose, userId: number, code: string): CodeHashes {
  const [first, ...rest] = keys.all.map((key) => codeHash(key, purpose, userId, code));
  return [first ?? codeHash(keys.current, purpose, userId, code), ...rest];
}
