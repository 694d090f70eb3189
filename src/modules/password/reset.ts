/**
 * Resetting a forgotten password with a one-time token: issuing it to a registered email, and spending it once.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../kernel/clock.js';
import type { SesameTables } from '../../kernel/database/tables.js';
import { generateToken, hashToken, type TokenFormat } from '../../kernel/tokens.js';
import type { SessionService } from '../sessions/index.js';
import { normaliseEmail, type User, type UserStore } from '../users/index.js';
import type { ResetConfig } from './config.js';
import { InvalidResetTokenError } from './errors.js';
import type { PasswordHasher } from './hasher.js';
import type { PasswordPolicy } from './policy.js';
import type { ResetTokenStore } from './reset-store.js';

/** A token issued by {@link PasswordReset.request}, with the account it is for. */
export interface IssuedResetToken {
  /** The account, as stored. */
  readonly user: User;
  /** The raw token: it exists only here and in what carries it to the owner; the database holds its hash. */
  readonly token: string;
}

/** Password resets. */
export class PasswordReset {
  readonly #db: Kysely<SesameTables>;
  readonly #users: UserStore;
  readonly #tokens: ResetTokenStore;
  readonly #sessions: SessionService;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;
  readonly #tokenFormat: TokenFormat;
  readonly #config: ResetConfig;

  /** Takes the database (for the reset's transaction) and everything a reset touches. */
  constructor(deps: {
    readonly db: Kysely<SesameTables>;
    readonly users: UserStore;
    readonly tokens: ResetTokenStore;
    readonly sessions: SessionService;
    readonly hasher: PasswordHasher;
    readonly policy: PasswordPolicy;
    readonly clock: Clock;
    readonly tokenFormat: TokenFormat;
    readonly config: ResetConfig;
  }) {
    this.#db = deps.db;
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

  /** Issues a new token for a registered email (replacing any earlier one); null for an unknown email. */
  async request(email: string): Promise<IssuedResetToken | null> {
    const user = await this.#users.findByEmail(normaliseEmail(email));
    if (user === undefined) return null;
    const token = generateToken(this.#tokenFormat);
    const now = this.#clock();
    await this.#tokens.issue(user.id, hashToken(token), now + this.#config.tokenTtlMs, now);
    return { user, token };
  }

  /**
   * Sets a new password through a token, spends the token and ends every session of the user, in one transaction.
   * When `email` is given, a token issued to another account is refused too. An unknown, expired, spent or
   * mismatched token raises {@link InvalidResetTokenError}; of two requests racing for one token, exactly one wins.
   */
  async reset(resetToken: string, password: string, email?: string): Promise<User> {
    const tokenHash = hashToken(resetToken);
    const user = await this.#tokens.findHolder(tokenHash, this.#clock());
    if (user === undefined) throw new InvalidResetTokenError('reset token is invalid or expired');
    if (email !== undefined && user.email !== normaliseEmail(email)) throw new InvalidResetTokenError('reset token was not issued for this email');
    await this.#policy.check(password, user.email);
    const hashed = await this.#hasher.hash(password);
    const now = this.#clock();
    const spent = await this.#db.transaction().execute(async (tx) => {
      if (!(await this.#tokens.in(tx).consume(user.id, tokenHash, now))) return false;
      await this.#users.in(tx).setPasswordHash(user.id, hashed, now);
      await this.#sessions.endAllOfUser(user.id, 'password_reset', tx);
      return true;
    });
    if (!spent) throw new InvalidResetTokenError('reset token is invalid or expired');
    return user;
  }

  /** Removes expired tokens; the sweeper calls it. */
  async purgeExpired(): Promise<number> {
    return this.#tokens.purgeExpired(this.#clock());
  }
}
