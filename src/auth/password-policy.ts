/**
 * The password policy of NIST SP 800-63B-4 section 3.1.1.2: a minimum length, no composition rules, and no password from a list of common or breached ones.
 * @module
 */
import { createRequire } from 'node:module';
import { WeakPasswordError } from '../errors.js';

/** Settings of {@link PasswordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC) a new password may have; NIST asks 15 when it is the only factor. */
  readonly minLength: number;
  /** Refuse passwords found in the shipped list of common passwords. */
  readonly checkCommon: boolean;
}

/** The seed-compatible policy: any non-empty password (the seed's example is 5 characters). */
export const LENIENT_POLICY: PasswordPolicyOptions = { minLength: 1, checkCommon: false };

/** Common passwords, lower-cased, loaded on first use (about 30,000 entries from `@zxcvbn-ts/language-common`, no network). */
let commonPasswords: ReadonlySet<string> | undefined;

/** Loads the list once; a CommonJS require keeps the JSON out of start-up until a check needs it. */
function loadCommonPasswords(): ReadonlySet<string> {
  if (commonPasswords === undefined) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    commonPasswords = new Set((dictionary['passwords-common'] ?? []).map((p) => p.toLowerCase()));
  }
  return commonPasswords;
}

/** Checks new passwords (registration and reset); login never applies it, so tightening it locks nobody out. */
export class PasswordPolicy {
  readonly #options: PasswordPolicyOptions;

  /** Takes the policy settings. */
  constructor(options: PasswordPolicyOptions) {
    this.#options = options;
  }

  /** Throws {@link WeakPasswordError} with advice when the password may not be used for this email. */
  check(password: string, email: string): void {
    const normalised = password.normalize('NFKC');
    const length = [...normalised].length;
    if (length < this.#options.minLength) {
      throw new WeakPasswordError(
        `password must be at least ${this.#options.minLength} characters: a longer passphrase of several words is easier to remember and harder to guess`,
      );
    }
    if (!this.#options.checkCommon) return;
    const lower = normalised.toLowerCase();
    if (loadCommonPasswords().has(lower)) {
      throw new WeakPasswordError('password is too common (it appears in lists used to guess passwords): choose another');
    }
    if (lower === email.trim().toLowerCase() || lower === email.trim().toLowerCase().split('@')[0]) {
      throw new WeakPasswordError('password must not be your email or its name part: choose another');
    }
  }
}
