/**
 * Resetting a forgotten password with a one-time token: issuing it to a registered email, and spending it once.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import { NO_REQUEST, type Changes, type EventContext } from '../../kernel/events.js';
import { generateToken, hashToken, type TokenFormat } from '../../kernel/tokens.js';
import type { SessionService } from '../sessions/index.js';
import { normaliseEmail, type User, type UserStore } from '../users/index.js';
import type { ResetConfig } from './config.js';
import { InvalidResetTokenError } from './errors.js';
import type { PasswordEvent } from './events.js';
import type { PasswordHasher } from './hasher.js';
import type { PasswordPolicy } from './policy.js';
import type { VerificationTokenStore } from '../verification/index.js';

/** A token issued by {@link PasswordReset.request}, with the account it is for. */
export interface IssuedResetToken {
  /** The account, as stored. */
  readonly user: User;
  /** The raw token: it exists only here and in what carries it to the owner; the database holds its hash. */
  readonly token: string;
}

/** Password resets. */
export class PasswordReset {
  readonly #changes: Changes<PasswordEvent>;
  readonly #users: UserStore;
  readonly #tokens: VerificationTokenStore;
  readonly #sessions: SessionService;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;
  readonly #tokenFormat: TokenFormat;
  readonly #config: ResetConfig;

  /** Takes the event-carrying transactions and everything a reset touches. */
  constructor(deps: {
    readonly changes: Changes<PasswordEvent>;
    readonly users: UserStore;
    readonly tokens: VerificationTokenStore;
    readonly sessions: SessionService;
    readonly hasher: PasswordHasher;
    readonly policy: PasswordPolicy;
    readonly clock: Clock;
    readonly tokenFormat: TokenFormat;
    readonly config: ResetConfig;
  }) {
    this.#changes = deps.changes;
    this.#users = deps.users;
    this.#tokens = deps.tokens;
    this.#sessions = deps.sessions;
    this.#hasher = deps.hasher;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
    this.#tokenFormat = deps.tokenFormat;
    this.#config = deps.config;
  }

  /** How reset tokens travel and live. */
  get config(): ResetConfig {
    return this.#config;
  }

  /**
   * Issues a new token for a registered email; earlier ones stay live (each single-use, all spent by a successful
   * reset), so someone who knows the address cannot cancel the owner's pending link by asking for another. Null for
   * an unknown email. Both record
   * `password.reset_requested` in a transaction of their own (the unknown one under the email's pseudonym), so the
   * two paths do the same kind of work.
   */
  async request(email: string, context: EventContext = NO_REQUEST): Promise<IssuedResetToken | null> {
    const user = await this.#users.findByEmail(normaliseEmail(email));
    if (user === undefined) {
      await this.#changes.transact((_tx, record) => record({ type: 'password.reset_requested', context, account: { email } }));
      return null;
    }
    const token = generateToken(this.#tokenFormat);
    const now = this.#clock();
    await this.#changes.transact(async (tx, record) => {
      await this.#tokens.in(tx).issue('password_reset', user.id, hashToken(token), now + this.#config.tokenTtlMs, now, { replace: false });
      await record({ type: 'password.reset_requested', context, account: { userId: user.id } });
    });
    return { user, token };
  }

  /**
   * Sets a new password through a token, spends the token and ends every session of the user, in one transaction.
   * When `email` is given, a token issued to another account is refused too. An unknown, expired, spent or
   * mismatched token raises {@link InvalidResetTokenError}; of two requests racing for one token, exactly one wins. Every
 * other live token of the account is spent with it.
   */
  async reset(resetToken: string, password: string, email?: string, context: EventContext = NO_REQUEST): Promise<User> {
    const tokenHash = hashToken(resetToken);
    const user = await this.#tokens.findHolder('password_reset', tokenHash, this.#clock());
    if (user === undefined) throw new InvalidResetTokenError('reset token is invalid or expired');
    if (email !== undefined && user.email !== normaliseEmail(email)) throw new InvalidResetTokenError('reset token was not issued for this email');
    await this.#policy.check(password, user.email);
    const hashed = await this.#hasher.hash(password);
    const now = this.#clock();
    const spent = await this.#changes.transact(async (tx, record) => {
      const tokens = this.#tokens.in(tx);
      if (!(await tokens.consume('password_reset', user.id, tokenHash, now))) return false;
      // Every other link sent for this account dies with the password it was meant to replace.
      await tokens.revokeAllOfUser('password_reset', user.id);
      await this.#users.in(tx).replacePassword(user.id, hashed, now);
      const ended = await this.#sessions.endAllOfUser(user.id, 'password_reset', tx);
      await record({ type: 'password.reset', context, account: { userId: user.id }, detail: { sessionsEnded: ended } });
      return true;
    });
    if (!spent) throw new InvalidResetTokenError('reset token is invalid or expired');
    return user;
  }
}
