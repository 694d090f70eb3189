/**
 * Registration with a password: the policy decides, bcrypt hashes, the unique index settles races.
 * @module
 */
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import { checkedEmail, type NewAccountFields, type User } from '../users/index.js';
import type { PasswordFlowDeps } from './deps.js';
import { clientOf } from './policy.js';

/** Creates accounts. */
export class Registration {
  readonly #deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'policy' | 'clock' | 'notices'>;

  /** Takes the account store, the event-carrying transactions, the hasher, the policy and the clock. */
  constructor(deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'policy' | 'clock' | 'notices'>) {
    this.#deps = deps;
  }

  /**
   * Creates an account (recording `account.created` with it); an email that is not an address raises
   * `InvalidEmailError`, a taken email `UserAlreadyExistsError`
   * (`User <email> already exists`), a password the policy refuses `WeakPasswordError`, a full scoring queue
   * `PasswordCheckBusyError`. `fields` carries the mail language (from `Accept-Language`) and, for an account an
   * operator creates, that the address is vouched for. The verification message, when one is owed, is enqueued in
   * the same transaction.
   */
  async register(email: string, password: string, context: EventContext = NO_REQUEST, fields: NewAccountFields = {}): Promise<User> {
    const normalised = checkedEmail(email);
    await this.#deps.policy.check(password, email, clientOf(context));
    const hashed = await this.#deps.hasher.hash(password);
    return this.#deps.changes.transact(async (tx, record) => {
      const user = await this.#deps.users.in(tx).insert(normalised, hashed, this.#deps.clock(), fields);
      if (user.email_verified_at === null) await this.#deps.notices?.registered(tx, user);
      await record({ type: 'account.created', context, account: { userId: user.id } });
      return user;
    });
  }
}
