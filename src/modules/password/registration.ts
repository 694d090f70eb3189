/**
 * Registration with a password: the policy decides, bcrypt hashes, the unique index settles races.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import { normaliseEmail, type User, type UserStore } from '../users/index.js';
import type { PasswordHasher } from './hasher.js';
import type { PasswordPolicy } from './policy.js';

/** Creates accounts. */
export class Registration {
  readonly #users: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;

  /** Takes the account store, the hasher, the policy and the clock. */
  constructor(deps: { readonly users: UserStore; readonly hasher: PasswordHasher; readonly policy: PasswordPolicy; readonly clock: Clock }) {
    this.#users = deps.users;
    this.#hasher = deps.hasher;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
  }

  /**
   * Creates an account; a taken email raises `UserAlreadyExistsError` (`User <email> already exists`), a password the
   * policy refuses raises `WeakPasswordError`, a full scoring queue `PasswordCheckBusyError`.
   */
  async register(email: string, password: string): Promise<User> {
    await this.#policy.check(password, email);
    const hashed = await this.#hasher.hash(password);
    return this.#users.insert(normaliseEmail(email), hashed, this.#clock());
  }
}
