/**
 * Resetting a forgotten password with a one-time token: issuing it to a registered email, and spending it once.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import { generateToken, hashToken } from '../../kernel/tokens.js';
import { isDisabled, normaliseEmail, type User } from '../users/index.js';
import { cancelledDetail, CODE_ATTEMPTS, normaliseCode } from '../verification/index.js';
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

/** How {@link PasswordReset.request} sends its token. */
export interface ResetRequestOptions {
  /** Mail it whatever `RESET_TOKEN_DELIVERY` says (the hosted forgot page, which never shows a token). */
  readonly byMail?: boolean;
}

/** Password resets. */
export class PasswordReset {
  readonly #deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'tokens' | 'cancelPending' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'tokenFormat' | 'reset' | 'resetMail' | 'pageResetMail' | 'notices' | 'codeHashes'>;

  /** Takes the event-carrying transactions and everything a reset touches. */
  constructor(deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'tokens' | 'cancelPending' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'tokenFormat' | 'reset' | 'resetMail' | 'pageResetMail' | 'notices' | 'codeHashes'>) {
    this.#deps = deps;
  }

  /** Whether {@link request} with `byMail` can reach anyone: Sesame has a way to send mail. */
  get canMail(): boolean {
    return this.#deps.pageResetMail !== undefined;
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
   * `password.reset_requested` (under the email's keyed pseudonym for an unknown address). With mail or webhook
   * delivery both paths also count the address's recent messages (the per-recipient limit); the known path then
   * attaches the short code and enqueues the message: two writes more, which the timing may show.
   */
  async request(email: string, context: EventContext = NO_REQUEST, options: ResetRequestOptions = {}): Promise<IssuedResetToken | null> {
    const mail = options.byMail === true ? this.#deps.pageResetMail : this.#deps.resetMail;
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
        await mail?.(tx, undefined, token, email);
        await record({ type: 'password.reset_requested', context, account: { email } });
        return;
      }
      await tokens.issue('password_reset', user.id, tokenHash, now + this.#deps.reset.tokenTtlMs, now, { replace: false });
      // To the stored address, not the one typed: the owner's mailbox, whatever case the request used.
      await mail?.(tx, user, token, user.email);
      await record({ type: 'password.reset_requested', context, account: { userId: user.id } });
    });
    return user === undefined ? null : { user, token };
  }

  /**
   * Sets a new password through a token, spends the token and ends every session of the user, in one transaction.
   * When `email` is given, a token issued to another account is refused too. An unknown, expired, spent or
   * mismatched token raises {@link InvalidResetTokenError}; of two requests racing for one token, exactly one wins. Every
   * other live token of the account is spent with it, and a pending change of address is cancelled. With `email`, `resetToken` may instead be the short code the
   * reset message carries (five guesses per token).
   */
  async reset(resetToken: string, password: string, email?: string, context: EventContext = NO_REQUEST): Promise<User> {
    const byCode = email === undefined ? undefined : await this.#byCode(resetToken, email);
    const tokenHash = byCode ?? hashToken(resetToken);
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
      // Every other link sent for this account dies with the password it was meant to replace, and so does a pending
      // change of address: the notice to the old address tells its owner to reset the password, which must stop a
      // change someone else asked for with the stolen one.
      const cancelled = await this.#deps.cancelPending(tx, user.id);
      const users = this.#deps.users.in(tx);
      await users.replacePassword(user.id, hashed, now);
      // The link or code came to this address: the reset proved the mailbox as a verification would.
      await users.markEmailVerified(user.id, now);
      const ended = await this.#deps.sessions.endAllOfUser(user.id, 'password_reset', tx);
      await this.#deps.notices?.passwordChanged(tx, user, 'reset');
      await record({ type: 'password.reset', context, account: { userId: user.id }, detail: { sessionsEnded: ended, ...cancelledDetail(cancelled) } });
      return true;
    });
    if (!spent) throw new InvalidResetTokenError('reset token is invalid or expired');
    return user;
  }

  /**
   * The hash of the token a typed code matches, counting the guess against the account's live reset tokens first;
   * undefined when `typed` is not shaped like a code (it is then tried as a token) or codes are off. A code that
   * matches nothing gives a hash no token has, so the caller refuses it like any dead token.
   */
  async #byCode(typed: string, email: string): Promise<string | undefined> {
    const code = normaliseCode(typed);
    const hashOf = this.#deps.codeHashes;
    if (code === undefined || hashOf === undefined) return undefined;
    const user = await this.#deps.users.findByEmail(normaliseEmail(email));
    if (user === undefined) return hashToken(typed);
    const targets = await this.#deps.tokens.countGuess(['password_reset'], user.id, this.#deps.clock(), CODE_ATTEMPTS);
    const expected = hashOf('password_reset', user.id, code);
    return targets.find((target) => expected.some((hash) => safeEqual(target.codeHash, hash)))?.tokenHash ?? hashToken(typed);
  }
}

/** Compares two hex digests in constant time. */
function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
