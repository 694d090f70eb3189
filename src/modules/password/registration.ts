/**
 * Registration with a password: the policy decides, bcrypt hashes, the unique index settles races.
 * @module
 */
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import { checkedEmail, type User } from '../users/index.js';
import type { PasswordFlowDeps } from './deps.js';
import { clientOf } from './policy.js';

/** Creates accounts. */
export class Registration {
  readonly #deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'policy' | 'clock'>;

  /** Takes the account store, the event-carrying transactions, the hasher, the policy and the clock. */
  constructor(deps: Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'policy' | 'clock'>) {
    this.#deps = deps;
  }

  /**
   * Creates an account (recording `account.created` with it); an email that is not an address raises
   * `InvalidEmailError`, a taken email `UserAlreadyExistsError`
   * (`User <email> already exists`), a password the policy refuses `WeakPasswordError`, a full scoring queue
   * `PasswordCheckBusyError`.
   */
  async register(email: string, password: string, context: EventContext = NO_REQUEST): Promise<User> {
    const normalised = checkedEmail(email);
    await this.#deps.policy.check(password, email, clientOf(context));
    const hashed = await this.#deps.hasher.hash(password);
    return this.#deps.changes.transact(async (tx, record) => {
      const user = await this.#deps.users.in(tx).insert(normalised, hashed, this.#deps.clock());
      await record({ type: 'account.created', context, account: { userId: user.id } });
      return user;
    });
  }
}
