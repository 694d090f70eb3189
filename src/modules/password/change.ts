/**
 * Changing a password while signed in: the current password again, the policy, and every session rotated.
 * @module
 */
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import type { ValidSession } from '../sessions/index.js';
import { cancelledDetail } from '../verification/index.js';
import type { PasswordFlowDeps } from './deps.js';
import { clientOf } from './policy.js';

/** Password changes. */
export class PasswordChange {
  readonly #deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'cancelPending' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'notices'>;

  /** Takes the event-carrying transactions and the stores, sessions, hasher, policy and clock a change spans. */
  constructor(deps: Pick<PasswordFlowDeps, 'changes' | 'users' | 'cancelPending' | 'sessions' | 'hasher' | 'policy' | 'clock' | 'notices'>) {
    this.#deps = deps;
  }

  /**
   * Changes the password of a checked session's user after checking the current password. In one transaction the
   * new hash is set, any outstanding reset token dropped, a pending change of address cancelled and every session of the user ended, the presented one
   * included (OWASP ASVS 7.2.4: re-authentication rotates the session); a fresh session id is returned for the
   * caller's cookie. Null for a wrong current password; a new password the policy refuses raises `WeakPasswordError`.
   */
  async change(session: ValidSession, currentPassword: string, newPassword: string, context: EventContext = NO_REQUEST): Promise<string | null> {
    const { user } = session;
    const account = { userId: user.id };
    if (!(await this.#deps.hasher.verify(currentPassword, user.hashed_password))) {
      await this.#deps.changes.transact((_tx, record) => record({ type: 'password.change_failed', context, account }));
      return null;
    }
    await this.#deps.policy.check(newPassword, user.email, clientOf(context));
    const hashed = await this.#deps.hasher.hash(newPassword);
    const now = this.#deps.clock();
    return this.#deps.changes.transact(async (tx, record) => {
      await this.#deps.users.in(tx).replacePassword(user.id, hashed, now);
      // Reset links die with the password, and so does a pending change of address it was asked for with (someone
      // else may have asked).
      const cancelled = await this.#deps.cancelPending(tx, user.id);
      const ended = await this.#deps.sessions.endAllOfUser(user.id, 'password_change', tx);
      const sessionId = await this.#deps.sessions.create(user.id, tx);
      // The owner hears of it at the account's address: if it was not them, the message says what to do.
      await this.#deps.notices?.passwordChanged(tx, user, 'change');
      await record({ type: 'password.changed', context, account, detail: { sessionsEnded: ended, ...cancelledDetail(cancelled) } });
      return sessionId;
    });
  }
}
