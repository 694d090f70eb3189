/**
 * Logging in with a password: the credential check (equal work for unknown emails and wrong passwords, re-hashing
 * on success when the cost was raised) and the session it opens, each outcome recorded.
 * @module
 */
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import { generateUuid } from '../../kernel/tokens.js';
import { isDisabled, normaliseEmail, type User } from '../users/index.js';
import type { PasswordFlowDeps } from './deps.js';
import { PasswordError } from './errors.js';

/** What a successful login hands back. */
export interface LoggedIn {
  /** The account, as stored. */
  readonly user: User;
  /** The new session's id, for the cookie. */
  readonly sessionId: string;
}

/** What checking a credential found. */
type Checked =
  | { readonly outcome: 'matched' | 'unverified'; readonly user: User }
  | { readonly outcome: 'wrong-password' | 'disabled'; readonly user: User }
  | { readonly outcome: 'unknown-email' };

/** Password logins. */
export class PasswordLogin {
  /** A hash of a random password at the current cost, for the unknown-email path of {@link verify}. */
  readonly #dummyHash: Promise<string>;
  readonly #deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'sessions' | 'clock' | 'notices' | 'requireVerifiedEmail'>;

  /** Takes the account store, the event-carrying transactions, the hasher, the sessions and the clock. */
  constructor(deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'sessions' | 'clock' | 'notices' | 'requireVerifiedEmail'>) {
    this.#deps = deps;
    // Made now, not at the first unknown-email login, so even that first one costs what a known email costs.
    this.#dummyHash = this.#deps.hasher.hash(generateUuid());
    this.#dummyHash.catch(() => undefined);
  }

  /**
   * The account when the email has one and the password matches it, else null (see {@link login} for the work done);
   * an unverified address does not change the answer: the credentials are right, only a login waits for the proof.
   */
  async verify(email: string, password: string): Promise<User | null> {
    const checked = await this.#check(email, password);
    return checked.outcome === 'matched' || checked.outcome === 'unverified' ? checked.user : null;
  }

  /**
   * Checks the credentials and opens a fresh session; null for a wrong email or password. Both failures do the same
   * work (a bcrypt comparison at the current cost, a dummy hash for an unknown email, and one recorded event), so
   * neither the answer nor its timing tells which accounts exist. The session the client presented (if any) ends in
   * the same transaction as the new one starts: a session id never outlives a re-authentication, so a planted or
   * leaked id is useless (no session fixation; OWASP ASVS 7.2.4). With `REQUIRE_EMAIL_VERIFICATION` on, the right
   * password on an unverified account raises `PasswordError('login.email_not_verified')` (403): only someone who
   * holds the password learns the address is unverified, since a wrong one answers null as for anyone.
   */
  async login(email: string, password: string, presentedSessionId: string | undefined, context: EventContext = NO_REQUEST): Promise<LoggedIn | null> {
    const checked = await this.#check(email, password);
    if (checked.outcome === 'unverified') {
      await this.#deps.changes.transact((_tx, record) => record({ type: 'login.failed', context, account: { userId: checked.user.id }, detail: { reason: 'unverified' } }));
      throw new PasswordError('login.email_not_verified', 'email not verified');
    }
    if (checked.outcome !== 'matched') {
      const account = checked.outcome === 'unknown-email' ? { email } : { userId: checked.user.id };
      await this.#deps.changes.transact((_tx, record) => record({ type: 'login.failed', context, account, detail: { reason: checked.outcome } }));
      return null;
    }
    const { user } = checked;
    const sessionId = await this.#deps.changes.transact(async (tx, record) => {
      const id = await this.#deps.sessions.createAfterCheck(user, tx, context);
      if (id === null) {
        // The password was changed or reset while it was being checked: it is no longer this account's password.
        await record({ type: 'login.failed', context, account: { userId: user.id }, detail: { reason: 'credential-changed' } });
        return null;
      }
      await this.#deps.sessions.end(presentedSessionId, 'logout', tx);
      await this.#deps.notices?.signedIn(tx, user, context);
      await record({ type: 'login.succeeded', context, account: { userId: user.id } });
      return id;
    });
    return sessionId === null ? null : { user, sessionId };
  }

  /** Finds the account and compares the password, against a dummy hash when there is no account; re-hashes a weak hash on a match. */
  async #check(email: string, password: string): Promise<Checked> {
    const user = await this.#deps.users.findByEmail(normaliseEmail(email));
    if (user === undefined) {
      await this.#deps.hasher.verify(password, await this.#dummyHash);
      return { outcome: 'unknown-email' };
    }
    const matches = await this.#deps.hasher.verify(password, user.hashed_password);
    // A disabled account is checked like any other (the same bcrypt work) and then refused like a wrong password, so
    // neither the answer nor its timing tells that it exists, is disabled, or that the password was right.
    if (!matches || isDisabled(user)) {
      // A hash made before BCRYPT_COST was raised is quicker to check than the dummy an unknown email is checked
      // against, so such an account would answer a wrong password faster than an unknown address: pad it with the
      // dummy's comparison, so no account ever answers faster than an unknown email.
      if (this.#deps.hasher.needsRehash(user.hashed_password)) await this.#deps.hasher.verify(password, await this.#dummyHash);
      return { outcome: matches ? 'disabled' : 'wrong-password', user };
    }
    if (this.#deps.hasher.needsRehash(user.hashed_password)) {
      await this.#deps.users.upgradeHash(user.id, user.hashed_password, await this.#deps.hasher.hash(password), this.#deps.clock());
    }
    return { outcome: this.#deps.requireVerifiedEmail === true && user.email_verified_at === null ? 'unverified' : 'matched', user };
  }
}
