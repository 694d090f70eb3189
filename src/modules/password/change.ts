/**
 * Changing a password while signed in: the current password again, the policy, and every session rotated.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import { NO_REQUEST, type Changes, type EventContext } from '../../kernel/events.js';
import type { SessionService, ValidSession } from '../sessions/index.js';
import type { UserStore } from '../users/index.js';
import type { PasswordEvent } from './events.js';
import type { PasswordHasher } from './hasher.js';
import { clientOf, type PasswordPolicy } from './policy.js';
import type { VerificationTokenStore } from '../verification/index.js';

/** Password changes. */
export class PasswordChange {
  readonly #changes: Changes<PasswordEvent>;
  readonly #users: UserStore;
  readonly #tokens: VerificationTokenStore;
  readonly #sessions: SessionService;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;

  /** Takes the event-carrying transactions and the stores, sessions, hasher, policy and clock a change spans. */
  constructor(deps: {
    readonly changes: Changes<PasswordEvent>;
    readonly users: UserStore;
    readonly tokens: VerificationTokenStore;
    readonly sessions: SessionService;
    readonly hasher: PasswordHasher;
    readonly policy: PasswordPolicy;
    readonly clock: Clock;
  }) {
    this.#changes = deps.changes;
    this.#users = deps.users;
    this.#tokens = deps.tokens;
    this.#sessions = deps.sessions;
    this.#hasher = deps.hasher;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
  }

  /**
   * Changes the password of a checked session's user after checking the current password. In one transaction the
   * new hash is set, any outstanding reset token dropped and every session of the user ended, the presented one
   * included (OWASP ASVS 7.2.4: re-authentication rotates the session); a fresh session id is returned for the
   * caller's cookie. Null for a wrong current password; a new password the policy refuses raises `WeakPasswordError`.
   */
  async change(session: ValidSession, currentPassword: string, newPassword: string, context: EventContext = NO_REQUEST): Promise<string | null> {
    const { user } = session;
    const account = { userId: user.id };
    if (!(await this.#hasher.verify(currentPassword, user.hashed_password))) {
      await this.#changes.transact((_tx, record) => record({ type: 'password.change_failed', context, account }));
      return null;
    }
    await this.#policy.check(newPassword, user.email, clientOf(context));
    const hashed = await this.#hasher.hash(newPassword);
    const now = this.#clock();
    return this.#changes.transact(async (tx, record) => {
      await this.#users.in(tx).replacePassword(user.id, hashed, now);
      await this.#tokens.in(tx).revokeAllOfUser('password_reset', user.id);
      const ended = await this.#sessions.endAllOfUser(user.id, 'password_change', tx);
      const sessionId = await this.#sessions.create(user.id, tx);
      await record({ type: 'password.changed', context, account, detail: { sessionsEnded: ended } });
      return sessionId;
    });
  }
}
