/**
 * Resetting a forgotten password with a one-time token: issuing it to a registered email, and spending it once.
 * @module
 */
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import { generateToken, hashToken } from '../../kernel/tokens.js';
import { isDisabled, normaliseEmail, type User } from '../users/index.js';
import type { ResetConfig } from './config.js';
import { InvalidResetTokenError } from './errors.js';
import type { PasswordFlowDeps } from './deps.js';
import { clientOf } from './policy.js';

/** A token issued by {@link PasswordReset.request}, with the account it is for. */
export interface IssuedResetToken {
  /** The account, as stored. */
  readonly user: User;
  /** The raw token: it exists only here and in what carries it to the owner; the database holds its hash. */
  readonly token: string;
}

/** Password resets. */
export class PasswordReset {
  readonly #deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'tokens' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'tokenFormat' | 'reset' | 'resetMail'>;

  /** Takes the event-carrying transactions and everything a reset touches. */
  constructor(deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'tokens' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'tokenFormat' | 'reset' | 'resetMail'>) {
    this.#deps = deps;
  }

  /** How reset tokens travel and live. */
  get config(): ResetConfig {
    return this.#deps.reset;
  }

  /**
   * Issues a new token for a registered, enabled email (a disabled one is answered as an unknown one); earlier ones stay live (each single-use, all spent by a successful
   * reset), so someone who knows the address cannot cancel the owner's pending link by asking for another. Null for
   * an unknown email.
   *
   * Both paths do the same work, so the answer's timing tells nothing about which addresses have accounts: a token is
   * drawn and hashed, and one transaction runs one statement on `verification_tokens` (the known path stores the
   * token; the unknown one spends a token that cannot exist, which matches nothing) and records
   * `password.reset_requested` (under the email's keyed pseudonym for an unknown address). With email delivery the
   * known path also enqueues the message in that transaction: one insert more, which the timing does show.
   */
  async request(email: string, context: EventContext = NO_REQUEST): Promise<IssuedResetToken | null> {
    const found = await this.#deps.users.findByEmail(normaliseEmail(email));
    // A disabled account takes the unknown path whole: same work, same event, same answer, nothing issued.
    const user = found !== undefined && !isDisabled(found) ? found : undefined;
    const token = generateToken(this.#deps.tokenFormat);
    const tokenHash = hashToken(token);
    const now = this.#deps.clock();
    await this.#deps.changes.transact(async (tx, record) => {
      const tokens = this.#deps.tokens.in(tx);
      if (user === undefined) {
        await tokens.consume('password_reset', 0, tokenHash, now);
        await record({ type: 'password.reset_requested', context, account: { email } });
        return;
      }
      await tokens.issue('password_reset', user.id, tokenHash, now + this.#deps.reset.tokenTtlMs, now, { replace: false });
      // To the stored address, not the one typed: the owner's mailbox, whatever case the request used.
      await this.#deps.resetMail?.(tx, user.email, token);
      await record({ type: 'password.reset_requested', context, account: { userId: user.id } });
    });
    return user === undefined ? null : { user, token };
  }

  /**
   * Sets a new password through a token, spends the token and ends every session of the user, in one transaction.
   * When `email` is given, a token issued to another account is refused too. An unknown, expired, spent or
   * mismatched token raises {@link InvalidResetTokenError}; of two requests racing for one token, exactly one wins. Every
 * other live token of the account is spent with it.
   */
  async reset(resetToken: string, password: string, email?: string, context: EventContext = NO_REQUEST): Promise<User> {
    const tokenHash = hashToken(resetToken);
    const user = await this.#deps.tokens.findHolder('password_reset', tokenHash, this.#deps.clock());
    // Disabling spends every link, but one issued by a force-reset before a disable must not re-open the account.
    if (user === undefined || isDisabled(user)) throw new InvalidResetTokenError('reset token is invalid or expired');
    if (email !== undefined && user.email !== normaliseEmail(email)) throw new InvalidResetTokenError('reset token was not issued for this email');
    await this.#deps.policy.check(password, user.email, clientOf(context));
    const hashed = await this.#deps.hasher.hash(password);
    const now = this.#deps.clock();
    const spent = await this.#deps.changes.transact(async (tx, record) => {
      const tokens = this.#deps.tokens.in(tx);
      if (!(await tokens.consume('password_reset', user.id, tokenHash, now))) return false;
      // Every other link sent for this account dies with the password it was meant to replace.
      await tokens.revokeAllOfUser('password_reset', user.id);
      await this.#deps.users.in(tx).replacePassword(user.id, hashed, now);
      const ended = await this.#deps.sessions.endAllOfUser(user.id, 'password_reset', tx);
      await record({ type: 'password.reset', context, account: { userId: user.id }, detail: { sessionsEnded: ended } });
      return true;
    });
    if (!spent) throw new InvalidResetTokenError('reset token is invalid or expired');
    return user;
  }
}
