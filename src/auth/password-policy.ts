/**
 * The password policy of NIST SP 800-63B-4 section 3.1.1.2: a minimum length, no composition rules, and no password that is common or easily guessed.
 * @module
 */
import { createRequire } from 'node:module';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { WeakPasswordError } from '../errors.js';

/** Settings of {@link PasswordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC) a new password may have; NIST asks 15 when it is the only factor. */
  readonly minLength: number;
  /** Refuse passwords found in the shipped list of common passwords (about 49,000, from `@zxcvbn-ts/language-common`). */
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

/** The dictionaries and the estimator, loaded on first use so a development server never pays for them. */
let estimator: { common: ReadonlySet<string>; zxcvbn: ZxcvbnFactory } | undefined;

/** Loads the dictionaries once (CommonJS builds: the JSON stays out of start-up until a check needs it). */
function loadEstimator(): { common: ReadonlySet<string>; zxcvbn: ZxcvbnFactory } {
  if (estimator === undefined) {
    const require = createRequire(import.meta.url);
    const commonPkg = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]>; adjacencyGraphs: object };
    const english = require('@zxcvbn-ts/language-en') as { dictionary: Record<string, string[]>; translations: object };
    const core = require('@zxcvbn-ts/core') as typeof ZxcvbnCore;
    estimator = {
      common: new Set((commonPkg.dictionary['passwords-common'] ?? []).map((p) => p.toLowerCase())),
      zxcvbn: new core.ZxcvbnFactory({
        dictionary: { ...commonPkg.dictionary, ...english.dictionary },
        graphs: commonPkg.adjacencyGraphs as never,
        translations: english.translations as never,
      }),
    };
  }
  return estimator;
}

/** Checks new passwords (registration, reset, change); login never applies it, so tightening it locks nobody out. */
export class PasswordPolicy {
  readonly #options: PasswordPolicyOptions;

  /** Takes the policy settings. */
  constructor(options: PasswordPolicyOptions) {
    this.#options = options;
  }

  /** Throws {@link WeakPasswordError} with advice when the password may not be used for this email. */
  check(password: string, email: string): void {
    const normalised = password.normalize('NFKC');
    if ([...normalised].length < this.#options.minLength) {
      throw new WeakPasswordError(
        `password must be at least ${this.#options.minLength} characters: a passphrase of several unrelated words is easy to remember and hard to guess`,
      );
    }
    const minScore = this.#options.minScore ?? 0;
    if (!this.#options.checkCommon && minScore === 0) return;
    const { common, zxcvbn } = loadEstimator();
    const lower = normalised.toLowerCase();
    const address = email.trim().toLowerCase();
    if (this.#options.checkCommon && common.has(lower)) {
      throw new WeakPasswordError('password is too common (it is in lists attackers try first): choose another');
    }
    if (lower === address || lower === address.split('@')[0]) {
      throw new WeakPasswordError('password must not be your email or its name part: choose another');
    }
    if (minScore > 0 && zxcvbn.check(normalised.slice(0, SCORED_PREFIX), [address, address.split('@')[0] ?? '', 'sesame']).score < minScore) {
      throw new WeakPasswordError(
        'password is too easy to guess (common words, names, dates or keyboard patterns): add more unrelated words',
      );
    }
  }
}
