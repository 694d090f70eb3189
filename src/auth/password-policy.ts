/**
 * The password policy of NIST SP 800-63B-4 section 3.1.1.2: a minimum length, no composition rules, and no password that is common or easily guessed.
 * @module
 */
import { createRequire } from 'node:module';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { WeakPasswordError } from '../errors.js';
import { loadCommonPasswords } from './common-passwords.js';

/** Settings of {@link PasswordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC) a new password may have; NIST asks 15 when it is the only factor. */
  readonly minLength: number;
  /**
   * Refuse passwords found in the shipped lists of common passwords (see {@link loadCommonPasswords}: about 490,000
   * entries in all; 3,600 of them have 15 or more characters), or equal to the email or its local part.
   */
  readonly checkCommon: boolean;
  /**
   * Refuse passwords whose zxcvbn guess-ability score (0 to 4) is below this; 0 turns it off. zxcvbn matches the
   * common-password and English dictionaries with l33t, reversal, repeats, sequences and keyboard walks, so long
   * variations of common passwords ("passwordpassword1") are caught too, not just exact list entries.
   */
  readonly minScore?: number;
}

/** The seed-compatible policy: any non-empty password (the seed's example is 5 characters). */
export const LENIENT_POLICY: PasswordPolicyOptions = { minLength: 1, checkCommon: false, minScore: 0 };

/** zxcvbn only looks at this many characters: past it the estimate is already far above any threshold, and the cost grows. */
const SCORED_PREFIX = 100;

/** The estimator, built once per process: its dictionaries are immutable package data, costly to index. */
let estimator: ZxcvbnFactory | undefined;

/** Builds zxcvbn with the common-password and English dictionaries (CommonJS builds, read through `require`). */
function loadEstimator(): ZxcvbnFactory {
  if (estimator === undefined) {
    const require = createRequire(import.meta.url);
    const commonPkg = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]>; adjacencyGraphs: object };
    const english = require('@zxcvbn-ts/language-en') as { dictionary: Record<string, string[]>; translations: object };
    const core = require('@zxcvbn-ts/core') as typeof ZxcvbnCore;
    estimator = new core.ZxcvbnFactory({
      dictionary: { ...commonPkg.dictionary, ...english.dictionary },
      graphs: commonPkg.adjacencyGraphs as never,
      translations: english.translations as never,
    });
  }
  return estimator;
}

/** Checks new passwords (registration, reset, change); login never applies it, so tightening it locks nobody out. */
export class PasswordPolicy {
  readonly #options: PasswordPolicyOptions;
  /** Common passwords of at least the minimum length; loaded at construction so the first registration is not the one that waits. */
  readonly #common: ReadonlySet<string> | undefined;
  /** zxcvbn, when a minimum score is set; also loaded up front for the same reason. */
  readonly #zxcvbn: ZxcvbnFactory | undefined;

  /** Takes the policy settings and loads only the lists they need, so the development default loads nothing. */
  constructor(options: PasswordPolicyOptions) {
    this.#options = options;
    this.#common = options.checkCommon ? loadCommonPasswords(Math.max(1, options.minLength)).entries : undefined;
    this.#zxcvbn = (options.minScore ?? 0) > 0 ? loadEstimator() : undefined;
  }

  /** Throws {@link WeakPasswordError} with advice when the password may not be used for this email. */
  check(password: string, email: string): void {
    const normalised = password.normalize('NFKC');
    if ([...normalised].length < this.#options.minLength) {
      throw new WeakPasswordError(
        `password must be at least ${this.#options.minLength} characters: a passphrase of several unrelated words is easy to remember and hard to guess`,
      );
    }
    if (this.#common === undefined && this.#zxcvbn === undefined) return;
    const lower = normalised.toLowerCase();
    const address = email.trim().toLowerCase();
    if (this.#common?.has(lower) === true) {
      throw new WeakPasswordError('password is too common (it is in lists attackers try first): choose another');
    }
    if (lower === address || lower === address.split('@')[0]) {
      throw new WeakPasswordError('password must not be your email or its name part: choose another');
    }
    const minScore = this.#options.minScore ?? 0;
    if (this.#zxcvbn !== undefined && this.#zxcvbn.check(normalised.slice(0, SCORED_PREFIX), [address, address.split('@')[0] ?? '', 'sesame']).score < minScore) {
      throw new WeakPasswordError(
        'password is too easy to guess (common words, names, dates or keyboard patterns): add more unrelated words',
      );
    }
  }
}
