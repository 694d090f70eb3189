/**
 * Password hashing: bcrypt through the native, asynchronous `bcrypt` package, so hashing runs on libuv's thread pool and never blocks the event loop.
 * @module
 */
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

/** What the auth rules need from a password hash; an interface so tests can count calls without replacing bcrypt. */
export interface PasswordHasher {
  /** Returns a salted hash of the password. */
  hash(password: string): Promise<string>;
  /** Tells whether the password matches the hash, in time independent of where they differ. */
  verify(password: string, hash: string): Promise<boolean>;
  /** Tells whether a stored hash was made with weaker settings than the current ones and should be replaced. */
  needsRehash(hash: string): boolean;
}

/**
 * Domain-separation key for the pre-hash. It is not a secret: it only makes our pre-hash differ from a plain
 * SHA-256 of the password, so a SHA-256 leaked from another site cannot be tried against our bcrypt hashes.
 */
const PREHASH_KEY = 'sesame/bcrypt-prehash/v1';

/**
 * Brings a password to the bytes bcrypt sees. NFKC first (NIST SP 800-63B: the same password typed on two keyboards
 * must match), then HMAC-SHA-256 and base64: bcrypt reads only 72 bytes and stops at a NUL, so without this a long
 * password would be silently truncated; the 44-character base64 digest carries all of it and holds no NUL.
 */
export function preparePassword(password: string): string {
  return createHmac('sha256', PREHASH_KEY).update(password.normalize('NFKC'), 'utf8').digest('base64');
}

/** The production hasher: bcrypt at a configured cost over the prepared password. */
export class BcryptHasher implements PasswordHasher {
  readonly #cost: number;

  /** Takes the bcrypt cost factor (log2 of the rounds); 12 is the default for new deployments. */
  constructor(cost: number) {
    this.#cost = cost;
  }

  /** Hashes on the libuv thread pool with a fresh random salt. */
  hash(password: string): Promise<string> {
    return bcrypt.hash(preparePassword(password), this.#cost);
  }

  /** Compares on the libuv thread pool; a malformed stored hash counts as a mismatch, not a crash. */
  async verify(password: string, hash: string): Promise<boolean> {
    try {
      return await bcrypt.compare(preparePassword(password), hash);
    } catch {
      return false;
    }
  }

  /** True when the stored hash's cost is below the configured one, so raising `BCRYPT_COST` upgrades accounts at their next login. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) < this.#cost;
    } catch {
      return true;
    }
  }
}
