/**
 * What the password flows (registration, login, change, reset) are built from, in one type: each flow takes the part
 * it needs, so the composition root hands in one object and no flow re-declares its dependencies field by field.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Changes } from '../../kernel/events.js';
import type { Executor } from '../../kernel/database/tables.js';
import type { EventContext } from '../../kernel/events.js';
import type { TokenFormat } from '../../kernel/tokens.js';
import type { SessionService } from '../sessions/index.js';
import type { User, UserStore } from '../users/index.js';
import type { CancelPendingProofs, CodeHashes, TokenPurpose, VerificationTokenStore } from '../verification/index.js';
import type { ResetConfig } from './config.js';
import type { PasswordEvent } from './events.js';
import type { PasswordHasher } from './hasher.js';
import type { PasswordPolicy } from './policy.js';

/** Everything a password flow may need. */
export interface PasswordFlowDeps {
  /** Transactions that carry the module's events. */
  readonly changes: Changes<PasswordEvent>;
  /** The account store. */
  readonly users: UserStore;
  /** One-time tokens (reset links). */
  readonly tokens: VerificationTokenStore;
  /** Spends reset links and cancels a pending change of address: a reset and a password change take the account back. */
  readonly cancelPending: CancelPendingProofs;
  /** The session rules. */
  readonly sessions: SessionService;
  /** bcrypt. */
  readonly hasher: PasswordHasher;
  /** The rules for new passwords. */
  readonly policy: PasswordPolicy;
  /** The time. */
  readonly clock: Clock;
  /** How tokens are drawn. */
  readonly tokenFormat: TokenFormat;
  /** How reset tokens live and travel. */
  readonly reset: ResetConfig;
  /** With `RESET_TOKEN_DELIVERY=email` or `webhook`: puts the reset message in the outbox, inside the transaction that issues the token. */
  readonly resetMail?: ResetMailer;
  /**
   * The reset message sent as mail whatever `RESET_TOKEN_DELIVERY` says (the hosted forgot page), when Sesame can
   * send mail at all.
   */
  readonly pageResetMail?: ResetMailer;
  /** The messages the flows owe the owner (verification at registration, password-changed, sign-in); none when absent. */
  readonly notices?: PasswordNotices;
  /**
   * `REQUIRE_EMAIL_VERIFICATION`: refuse logins (403) to accounts whose address was never verified, and let a
   * sign-up answer a taken address as a new one (the owner is mailed instead): only the mailbox proves who registered,
   * so the caller need not be told the address has an account.
   */
  readonly requireVerifiedEmail?: boolean;
  /**
   * The keyed hashes of a mailed code under every key of the keyring, the current key's first, so a reset can be
   * spent with the short code (one mailed before a rotation too); without it only tokens work.
   */
  readonly codeHashes?: (purpose: TokenPurpose, userId: number, code: string) => CodeHashes;
}

/**
 * The messages the password flows trigger, each enqueued through `executor` (the flow's transaction), so the change
 * and its message commit together. Built by the composition root from the email and mail modules.
 */
export interface PasswordNotices {
  /** A new account: the verification message. */
  registered(executor: Executor, user: User): Promise<void>;
  /**
   * A sign-up for an address that already has this account: the work {@link registered} does, statement for
   * statement, with the owner's "someone tried to register with your address" notice (once a day at most) in place
   * of a verification message.
   */
  registrationRepeated(executor: Executor, owner: User): Promise<void>;
  /** The password was changed (signed in) or reset (by link or code). */
  passwordChanged(executor: Executor, user: User, how: 'change' | 'reset'): Promise<void>;
  /** A successful sign-in (sent only when `NOTIFY_NEW_SIGN_IN` is on). */
  signedIn(executor: Executor, user: User, context: EventContext): Promise<void>;
}

/**
 * Enqueues the message carrying a reset token (and its short code) to an account's stored address, writing through
 * `executor` (the issuing transaction), so the token and its message commit together or not at all. Called with no
 * account (`undefined`) on the unknown-address path, where it does the same counting work and sends nothing.
 * Resolves true when the message is in the outbox, false when it was held back by the per-recipient limit (or there
 * was no account); with `operator` (a force-reset) it is never held.
 */
export type ResetMailer = (executor: Executor, user: User | undefined, resetToken: string, email: string, options?: ResetMailOptions) => Promise<boolean>;

/** How a {@link ResetMailer} call treats its message. */
export interface ResetMailOptions {
  /** An operator asked (force-reset): the message is never held by the per-recipient limit. */
  readonly operator?: boolean;
  /** Sent as a message (mail) whatever `RESET_TOKEN_DELIVERY` says: the hosted forgot page asked. */
  readonly asMessage?: boolean;
}
