/**
 * Logging in with a password: the credential check (equal work for unknown emails and wrong passwords, re-hashing
 * on success when the cost was raised) and the session it opens.
 * @module
 */
import type { Kysely } from 'kysely';
import type { SesameTables } from '../../kernel/database/tables.js';
import { generateUuid } from '../../kernel/tokens.js';
import type { SessionService } from '../sessions/index.js';
import { normaliseEmail, type User, type UserStore } from '../users/index.js';
import type { PasswordHasher } from './hasher.js';
import type { Clock } from '../../kernel/clock.js';

/** What a successful login hands back. */
export interface LoggedIn {
  /** The account, as stored. */
  readonly user: User;
  /** The new session's id, for the cookie. */
  readonly sessionId: string;
}

/** Password logins. */
export class PasswordLogin {
  readonly #db: Kysely<SesameTables>;
  readonly #users: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #sessions: SessionService;
  readonly #clock: Clock;
  /** A hash of a random password at the current cost, for the unknown-email path of {@link verify}. */
  readonly #dummyHash: Promise<string>;

  /** Takes the database (for the login's transaction), the account store, the hasher, the sessions and the clock. */
  constructor(deps: { readonly db: Kysely<SesameTables>; readonly users: UserStore; readonly hasher: PasswordHasher; readonly sessions: SessionService; readonly clock: Clock }) {
    this.#db = deps.db;
    this.#users = deps.users;
    this.#hasher = deps.hasher;
    this.#sessions = deps.sessions;
    this.#clock = deps.clock;
    // Made now, not at the first unknown-email login, so even that first one costs what a known email costs.
    this.#dummyHash = this.#hasher.hash(generateUuid());
    this.#dummyHash.catch(() => undefined);
  }

  /**
   * The account when the email has one and the password matches it, else null. An unknown email is checked against a
   * dummy hash of the same cost, so both failures do the same bcrypt work and timing does not reveal which accounts
   * exist. A match whose hash is weaker than the current cost is re-hashed on the spot.
   */
  async verify(email: string, password: string): Promise<User | null> {
    const user = await this.#users.findByEmail(normaliseEmail(email));
    if (user === undefined) {
      await this.#hasher.verify(password, await this.#dummyHash);
      return null;
    }
    if (!(await this.#hasher.verify(password, user.hashed_password))) return null;
    if (this.#hasher.needsRehash(user.hashed_password)) {
      await this.#users.setPasswordHash(user.id, await this.#hasher.hash(password), this.#clock());
    }
    return user;
  }

  /**
   * Checks the credentials and opens a fresh session; null for a wrong email or password. The session the client
   * presented (if any) ends in the same transaction: a session id never outlives a re-authentication, so a planted
   * or leaked id is useless (no session fixation; OWASP ASVS 7.2.4).
   */
  async login(email: string, password: string, presentedSessionId: string | undefined): Promise<LoggedIn | null> {
    const user = await this.verify(email, password);
    if (user === null) return null;
    const sessionId = await this.#db.transaction().execute(async (tx) => {
      await this.#sessions.end(presentedSessionId, 'logout', tx);
      return this.#sessions.create(user.id, tx);
    });
    return { user, sessionId };
  }
}
