/**
 * The password policy of NIST SP 800-63B-4 section 3.1.1.2: a minimum length, no composition rules, and no password that is common or easily guessed.
 * @module
 */
import type { EventContext } from '../../kernel/events.js';
import { clientKey } from '../rate-limits/index.js';
import { BreachFilter } from './breach-filter/index.js';
import { BreachedPasswordError, WeakPasswordError } from './errors.js';
import { loadCommonPasswords } from './common-passwords.js';
import { StrengthEstimator, type StrengthEstimatorOptions } from './strength-estimator.js';

/** Settings of {@link PasswordPolicy}. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC) a new password may have; NIST asks 15 when it is the only factor. */
  readonly minLength: number;
  /**
   * Refuse passwords found in the shipped lists of common passwords (see {@link loadCommonPasswords}: about 490,000
   * entries in all; 3,600 of them have 15 or more characters), in any case, or equal to the email or its local part.
   * The lists are held as a filter, so about 1 in 65,536 other passwords is refused as common too.
   */
  readonly checkCommon: boolean;
  /**
   * Refuse passwords whose zxcvbn guess-ability score (0 to 4) is below this; 0 turns it off. zxcvbn matches the
   * common-password and English dictionaries with l33t, reversal, repeats, sequences and keyboard walks, so long
   * variations of common passwords ("passwordpassword1") are caught too, not just exact list entries.
   */
  readonly minScore?: number;
  /**
   * Path of a breach filter built by `sesame breach-filter build` (`PASSWORD_BREACH_FILTER`): a new password whose
   * SHA-1 (as received, or of its NFKC form) is in it is refused with `password.breached`. Read once, at construction.
   */
  readonly breachFilter?: string;
  /** Threads and queue bound of the zxcvbn worker pool (used only when `minScore` is above 0). */
  readonly strength?: StrengthEstimatorOptions;
}

/** The seed-compatible policy: any non-empty password (the seed's example is 5 characters). */
export const LENIENT_POLICY: PasswordPolicyOptions = { minLength: 1, checkCommon: false, minScore: 0 };

/**
 * zxcvbn only looks at this many characters: its cost grows steeply with length and pattern (measured: 0.76 s of CPU
 * for a 64-character l33t-speak password, 0.24 s for its first 32 characters), and a 32-character prefix that scores
 * well is already far above any threshold (every patterned sample measured scored 4 at 32).
 */
export const SCORED_PREFIX = 32;

/** Checks new passwords (registration, reset, change); login never applies it, so tightening it locks nobody out. */
export class PasswordPolicy {
  readonly #options: PasswordPolicyOptions;
  /** Common passwords of at least the minimum length; loaded at construction so the first registration is not the one that waits. */
  readonly #common: BreachFilter | undefined;
  /** The operator's breach corpus (`PASSWORD_BREACH_FILTER`), one buffer read at construction. */
  readonly #breached: BreachFilter | undefined;
  /** zxcvbn on worker threads, when a minimum score is set. */
  readonly #estimator: StrengthEstimator | undefined;

  /** Takes the policy settings and loads only what they need, so the development default loads nothing. */
  constructor(options: PasswordPolicyOptions) {
    this.#options = options;
    this.#common = options.checkCommon ? loadCommonPasswords(Math.max(1, options.minLength)).filter : undefined;
    this.#breached = options.breachFilter === undefined ? undefined : BreachFilter.fromFile(options.breachFilter);
    this.#estimator = (options.minScore ?? 0) > 0 ? new StrengthEstimator(options.strength) : undefined;
  }

  /** Ends the strength-estimator threads; a closed policy must not be used again. */
  async close(): Promise<void> {
    await this.#estimator?.close();
  }

  /**
   * Rejects with {@link WeakPasswordError} and advice when the password may not be used for this email,
   * {@link BreachedPasswordError} when it is in the breach filter, with
   * `PasswordCheckBusyError` when too many strength checks are queued (overall, or from this `client`: its address
   * key), or with `PasswordTooCostlyError` when scoring it ran past the time cap.
   */
  async check(password: string, email: string, client?: string): Promise<void> {
    const normalised = password.normalize('NFKC');
    if ([...normalised].length < this.#options.minLength) {
      throw new WeakPasswordError(
        `password must be at least ${this.#options.minLength} characters: a passphrase of several unrelated words is easy to remember and hard to guess`,
      );
    }
    if (this.#common === undefined && this.#breached === undefined && this.#estimator === undefined) return;
    const lower = normalised.toLowerCase();
    const address = email.trim().toLowerCase();
    if (this.#common?.hasExact(lower) === true) {
      throw new WeakPasswordError('password is too common (it is in lists attackers try first): choose another');
    }
    if (this.#breached?.hasPassword(password) === true) throw new BreachedPasswordError();
    if (lower === address || lower === address.split('@')[0]) {
      throw new WeakPasswordError('password must not be your email or its name part: choose another');
    }
    if (this.#estimator === undefined) return;
    const userInputs = [address, address.split('@')[0] ?? '', 'sesame'];
    if ((await this.#estimator.score(prefix(normalised, SCORED_PREFIX), userInputs, client)) < (this.#options.minScore ?? 0)) {
      throw new WeakPasswordError(
        'password is too easy to guess (common words, names, dates or keyboard patterns): add more unrelated words',
      );
    }
  }
}

/** The key a request's client is counted under for its share of the scoring threads (IPv6 by /64), if it came over HTTP. */
export function clientOf(context: EventContext): string | undefined {
  return context.ip === undefined ? undefined : clientKey(context.ip);
}

/** The first `count` code points of `text`, so a cut never splits a surrogate pair. */
function prefix(text: string, count: number): string {
  return text.length <= count ? text : [...text].slice(0, count).join('');
}
