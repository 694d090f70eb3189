/**
 * Registration with a password: the policy decides, bcrypt hashes, the unique index settles races.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import { NO_REQUEST, type Changes, type EventContext } from '../../kernel/events.js';
import { normaliseEmail, type User, type UserStore } from '../users/index.js';
import type { PasswordEvent } from './events.js';
import type { PasswordHasher } from './hasher.js';
import { clientOf, type PasswordPolicy } from './policy.js';

/** Creates accounts. */
export class Registration {
  readonly #users: UserStore;
  readonly #changes: Changes<PasswordEvent>;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;

  /** Takes the account store, the event-carrying transactions, the hasher, the policy and the clock. */
  constructor(deps: { readonly users: UserStore; readonly changes: Changes<PasswordEvent>; readonly hasher: PasswordHasher; readonly policy: PasswordPolicy; readonly clock: Clock }) {
    this.#users = deps.users;
    this.#changes = deps.changes;
    this.#hasher = deps.hasher;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
  }

  /**
   * Creates an account (recording `account.created` with it); a taken email raises `UserAlreadyExistsError`
   * (`User <email> already exists`), a password the policy refuses `WeakPasswordError`, a full scoring queue
   * `PasswordCheckBusyError`.
   */
  async register(email: string, password: string, context: EventContext = NO_REQUEST): Promise<User> {
    await this.#policy.check(password, email, clientOf(context));
    const hashed = await this.#hasher.hash(password);
    return this.#changes.transact(async (tx, record) => {
      const user = await this.#users.in(tx).insert(normaliseEmail(email), hashed, this.#clock());
      await record({ type: 'account.created', context, account: { userId: user.id } });
      return user;
    });
  }
}
