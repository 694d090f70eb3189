/**
 * The account's email address: proving it receives mail (a link or a code from the verification message), moving
 * the account to another address (confirmed from the new mailbox, announced to the old one, sessions kept), and the
 * language Sesame writes to it in. Every change runs in one transaction with its event and its message.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import { NO_REQUEST, type Changes, type EventContext } from '../../kernel/events.js';
import type { Executor } from '../../kernel/database/tables.js';
import { generateToken, hashToken, type TokenFormat } from '../../kernel/tokens.js';
import type { Courier, OnceDispatch } from '../mail/index.js';
import type { PasswordHasher } from '../password/index.js';
import type { ValidSession } from '../sessions/index.js';
import { checkedEmail, isDisabled, normaliseEmail, UserAlreadyExistsError, type User, type UserStore } from '../users/index.js';
import { CODE_ATTEMPTS, formatCode, generateCode, normaliseCode, type CodeHashes, type LiveToken, type TokenPurpose, type VerificationTokenStore } from '../verification/index.js';
import type { EmailConfig } from './config.js';
import { EmailChangeLimitedError, EmailError } from './errors.js';
import type { EmailEvent } from './events.js';
import { isTokenProof, matchCode, type Proof } from './proof.js';

/** Verification messages one account may be sent per hour through the resend route. */
export const RESENDS_PER_HOUR = 3;

/**
 * Changes of address one account may ask for per hour. Each request draws a fresh code with fresh guesses, so
 * without a cap the five guesses per code would be no limit at all on reaching an address one does not control.
 */
export const CHANGES_PER_HOUR = 3;

/**
 * Change-of-address codes one address may be mailed per hour, whichever accounts ask. {@link CHANGES_PER_HOUR} bounds
 * one requester; without this, every further account aiming at the same address brought five more guesses per code
 * at that mailbox. Three codes of five guesses: at most 15 guesses an hour at any one address.
 */
export const CHANGE_CODES_PER_ADDRESS_PER_HOUR = 3;

/**
 * How long an address waits between two "someone tried to register with your address" notices: a stranger who
 * types the address into the sign-up form over and over must not turn Sesame into a way to flood its mailbox.
 */
export const REGISTRATION_NOTICE_WINDOW_MS = 86_400_000;

/** The purposes a verification link or code may carry. */
const CONFIRMABLE: readonly TokenPurpose[] = ['email_verify', 'email_change'];

/** What {@link EmailAddresses} is built from. */
export interface EmailAddressesDeps {
  /** Transactions that carry the module's events. */
  readonly changes: Changes<EmailEvent>;
  readonly users: UserStore;
  readonly tokens: VerificationTokenStore;
  /** Checks the current password before a change of address. */
  readonly hasher: PasswordHasher;
  /** Renders and enqueues the messages. */
  readonly courier: Courier;
  /**
   * The keyed hashes of a code under every key of the keyring, the current key's first (see the verification
   * module's `codeHashes`): a new code is stored under the first, a typed one matches under any.
   */
  readonly codeHashes: (purpose: TokenPurpose, userId: number, code: string) => CodeHashes;
  readonly clock: Clock;
  readonly tokenFormat: TokenFormat;
  readonly config: EmailConfig;
}

/** A token just issued, without its code yet. */
interface IssuedToken {
  /** The raw token, for the link. */
  readonly token: string;
  /** The code as mailed (`1234-5678`). */
  readonly code: string;
  /** Lets the token be spent by the code too: called once the message carrying both is queued. */
  attachCode(executor: Executor): Promise<void>;
}

/** What a confirmed proof did. */
export interface Confirmed {
  /** The account, as it is now (with its new address after a change). */
  readonly user: User;
  /** `verified`: the address is proved; `email_changed`: the account moved to the address the token confirmed. */
  readonly outcome: 'verified' | 'email_changed';
}

/** Email verification, change of address and the mail language. */
export class EmailAddresses {
  readonly #deps: EmailAddressesDeps;

  /** Takes the stores, the hasher, the courier, the code key and the settings. */
  constructor(deps: EmailAddressesDeps) {
    this.#deps = deps;
  }

  /** Whether logins wait for a verified address. */
  get requireVerification(): boolean {
    return this.#deps.config.requireVerification;
  }

  /** True when verification mail can leave at all (a channel is configured). */
  get sendsVerification(): boolean {
    return this.#deps.courier.reaches('email_verify');
  }

  /**
   * Issues a verification link and code for an unverified account and enqueues the message, inside the caller's
   * transaction (registration's, so the account and its message commit together). Nothing when no channel exists.
   */
  async sendVerification(executor: Executor, user: User): Promise<void> {
    if (!this.sendsVerification) return;
    const issued = await this.#issue(executor, 'email_verify', user, {});
    const sent = await this.#deps.courier.send(executor, { kind: 'email_verify', to: { address: user.email, language: user.language }, token: issued.token, code: issued.code, ttlMinutes: this.#ttlMinutes() });
    if (sent === 'queued') await issued.attachCode(executor);
  }

  /**
   * What a sign-up for an address that already has an account does in place of {@link sendVerification}, statement
   * for statement, so the work of a sign-up does not tell which addresses have accounts: a token and a code are
   * drawn and hashed; where a new account's token is inserted, a token that cannot exist is spent (an update that
   * matches nothing: user id 0 holds none); where its message is counted and enqueued, the owner's notice "someone
   * tried to register with your address" is, once a day at most (a repeat is written suppressed, see
   * `Courier.sendOncePer`, so the outbox gains one row either way); where the code is attached, it is attached to
   * that token that does not exist. A disabled owner's notice is written suppressed (nothing about a disabled
   * account is mailed to an anonymous request's order). Nothing at all when no channel exists, as for a new account.
   */
  async noticeRepeatedRegistration(executor: Executor, owner: User): Promise<OnceDispatch> {
    if (!this.sendsVerification) return 'no-channel';
    const tokenHash = hashToken(generateToken(this.#deps.tokenFormat));
    const [codeHash] = this.#deps.codeHashes('email_verify', owner.id, generateCode());
    const tokens = this.#deps.tokens.in(executor);
    await tokens.consume('email_verify', 0, tokenHash, this.#deps.clock());
    const notice = { kind: 'registration_attempt', to: { address: owner.email, language: owner.language } } as const;
    const sent = await this.#deps.courier.sendOncePer(executor, notice, REGISTRATION_NOTICE_WINDOW_MS, { suppress: isDisabled(owner) });
    await tokens.attachCode(tokenHash, codeHash);
    return sent;
  }

  /**
   * Sends the verification message again, at most {@link RESENDS_PER_HOUR} times an hour per account. Unknown,
   * disabled and already verified addresses get nothing, silently: the caller answers the same in every case, so the
   * route tells no one which addresses have accounts.
   */
  async resend(email: string, context: EventContext = NO_REQUEST): Promise<void> {
    const user = await this.#deps.users.findByEmail(normaliseEmail(email));
    if (user === undefined || isDisabled(user) || user.email_verified_at !== null) return;
    if ((await this.#deps.courier.countRecent('email_verify', user.email)) >= RESENDS_PER_HOUR) return;
    await this.#deps.changes.transact(async (tx, record) => {
      await this.sendVerification(tx, user);
      await record({ type: 'email.verification_sent', context, account: { userId: user.id }, detail: { resend: true } });
    });
  }

  /**
   * Spends a verification or email-change token, given as the link's token or as the account's address (or, for a
   * change, the new address) with the code. A dead, spent or unknown proof raises `EmailError('email.token_invalid')`;
   * each wrong code counts against every live code of the account, five at most per token. A change whose address
   * another account took meanwhile raises `UserAlreadyExistsError`.
   */
  async confirm(proof: Proof, context: EventContext = NO_REQUEST): Promise<Confirmed> {
    const live = isTokenProof(proof) ? await this.#deps.tokens.findLive(CONFIRMABLE, hashToken(proof.token), this.#deps.clock()) : await this.#byCode(proof, context);
    if (live === undefined || isDisabled(live.user)) throw new EmailError('email.token_invalid', 'verification token is invalid or expired');
    const { user } = live;
    const now = this.#deps.clock();
    const confirmed = await this.#deps.changes.transact(async (tx, record): Promise<Confirmed | undefined> => {
      const tokens = this.#deps.tokens.in(tx);
      if (!(await tokens.consume(live.purpose, user.id, live.tokenHash, now))) return undefined;
      const users = this.#deps.users.in(tx);
      if (live.purpose === 'email_change' && live.newEmail !== null) {
        await users.changeEmail(user.id, live.newEmail, now);
        // Links mailed to the old address no longer reach the account's owner for sure: they all die with the move.
        await tokens.revokeAllOfUser('email_change', user.id);
        await tokens.revokeAllOfUser('email_verify', user.id);
        await tokens.revokeAllOfUser('password_reset', user.id);
        await record({ type: 'email.changed', context, account: { userId: user.id } });
        return { user: { ...user, email: live.newEmail, email_verified_at: now, updated_at: now }, outcome: 'email_changed' };
      }
      await users.markEmailVerified(user.id, now);
      await tokens.revokeAllOfUser('email_verify', user.id);
      await record({ type: 'email.verified', context, account: { userId: user.id } });
      return { user: { ...user, email_verified_at: user.email_verified_at ?? now, updated_at: now }, outcome: 'verified' };
    });
    if (confirmed === undefined) throw new EmailError('email.token_invalid', 'verification token is invalid or expired');
    return confirmed;
  }

  /**
   * Starts moving a signed-in account to `newEmail`: checks the current password, then, in one transaction, issues a
   * change token (earlier pending changes die), mails the link and code to the new address and a notice to the old
   * one. The account keeps its address and sessions until the new mailbox confirms. At most {@link CHANGES_PER_HOUR}
   * an hour per account and {@link CHANGE_CODES_PER_ADDRESS_PER_HOUR} codes an hour per new address
   * (`EmailChangeLimitedError`, 429).
   */
  async requestChange(session: ValidSession, password: string, newEmail: string, context: EventContext = NO_REQUEST): Promise<void> {
    const { user } = session;
    if (!(await this.#deps.hasher.verify(password, user.hashed_password))) {
      await this.#deps.changes.transact((_tx, record) => record({ type: 'email.change_failed', context, account: { userId: user.id }, detail: { reason: 'wrong-password' } }));
      throw new EmailError('email.password_wrong', 'password is wrong');
    }
    const address = checkedEmail(newEmail);
    if (address === user.email) throw new EmailError('email.unchanged', 'this is already the account\'s email');
    if ((await this.#deps.users.findByEmail(address)) !== undefined) throw new UserAlreadyExistsError(address);
    // Counted by the notices to the current address, which are never held back and outlive the tokens.
    if ((await this.#deps.courier.countRecent('email_change_notice', user.email)) >= CHANGES_PER_HOUR) throw new EmailChangeLimitedError();
    // Counted by the confirmations queued to the new address: only those carry a code (a held one has none).
    if ((await this.#deps.courier.countRecent('email_change_confirm', address)) >= CHANGE_CODES_PER_ADDRESS_PER_HOUR) throw new EmailChangeLimitedError();
    await this.#deps.changes.transact(async (tx, record) => {
      const issued = await this.#issue(tx, 'email_change', user, { newEmail: address });
      const language = user.language;
      const sent = await this.#deps.courier.send(tx, { kind: 'email_change_confirm', to: { address, language }, token: issued.token, code: issued.code, ttlMinutes: this.#ttlMinutes() });
      if (sent === 'queued') await issued.attachCode(tx);
      // No change starts without its notice to the current address (past MAIL_SECURITY_NOTICE_HOURLY_MAX it would be
      // held): the throw rolls the token and the confirmation back. It also keeps CHANGES_PER_HOUR, which counts these
      // notices, from being outrun when the notice bound is the lower of the two.
      if ((await this.#deps.courier.send(tx, { kind: 'email_change_notice', to: { address: user.email, language }, newAddress: address })) === 'held') throw new EmailChangeLimitedError();
      await record({ type: 'email.change_requested', context, account: { userId: user.id } });
    });
  }

  /** Sets the language Sesame writes to the account in (already checked against the languages it knows). */
  async setLanguage(user: User, language: string, context: EventContext = NO_REQUEST): Promise<void> {
    await this.#deps.changes.transact(async (tx, record) => {
      await this.#deps.users.in(tx).setLanguage(user.id, language, this.#deps.clock());
      await record({ type: 'email.language_changed', context, account: { userId: user.id }, detail: { language } });
    });
  }

  /** Finds the token a typed code matches, counting the guess first; records a wrong one. */
  async #byCode(proof: { readonly email: string; readonly code: string }, context: EventContext): Promise<LiveToken | undefined> {
    const code = normaliseCode(proof.code);
    if (code === undefined) return undefined;
    const now = this.#deps.clock();
    const address = normaliseEmail(proof.email);
    // The account's own address for a verification; for a change, the person may type the new address they were mailed at.
    const owner = (await this.#deps.users.findByEmail(address)) ?? (await this.#deps.tokens.findChangeTo(address, now))?.user;
    if (owner === undefined) return undefined;
    const targets = await this.#deps.tokens.countGuess(CONFIRMABLE, owner.id, now, CODE_ATTEMPTS);
    const matched = matchCode(targets, (target) => this.#deps.codeHashes(target.purpose, owner.id, code));
    if (matched === undefined) {
      await this.#deps.changes.transact((_tx, record) => record({ type: 'email.verify_failed', context, account: { userId: owner.id }, detail: { reason: 'wrong-code' } }));
      return undefined;
    }
    return { user: owner, purpose: matched.purpose, tokenHash: matched.tokenHash, newEmail: matched.newEmail };
  }

  /**
   * Draws a token and a code and stores the token's hash; returns the raw token, the code as mailed, and how to give
   * the token its code. The code is attached only once its message is queued: one the per-recipient limit held back
   * would be a code nobody was sent, and one more target for every guess (the reset path does the same).
   */
  async #issue(executor: Executor, purpose: TokenPurpose, user: User, extra: { readonly newEmail?: string }): Promise<IssuedToken> {
    const token = generateToken(this.#deps.tokenFormat);
    const code = generateCode();
    const now = this.#deps.clock();
    const tokenHash = hashToken(token);
    await this.#deps.tokens.in(executor).issue(purpose, user.id, tokenHash, now + this.#deps.config.tokenTtlMs, now, {
      // One pending change at a time: a newer request cancels the older; verification links all stay good until one is used.
      replace: purpose === 'email_change',
      ...extra,
    });
    const [codeHash] = this.#deps.codeHashes(purpose, user.id, code);
    return { token, code: formatCode(code), attachCode: (tx) => this.#deps.tokens.in(tx).attachCode(tokenHash, codeHash) };
  }

  /** The link's lifetime as the message words it. */
  #ttlMinutes(): number {
    return Math.round(this.#deps.config.tokenTtlMs / 60_000);
  }
}
