/**
 * Registration with a password: the policy decides, bcrypt hashes, the unique index settles races. Operators create
 * accounts with {@link Registration.register} and are told when an address is taken; the public sign-up
 * ({@link Registration.signUp}) is not, once verification is required, so it cannot be used to learn who has an account.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import { NO_REQUEST, type EventContext } from '../../kernel/events.js';
import type { Signup, SignupTicket } from '../signup/index.js';
import { checkedEmail, type NewAccountFields, type User } from '../users/index.js';
import type { PasswordFlowDeps } from './deps.js';
import { clientOf } from './policy.js';

/**
 * What a sign-up answers: the same for a new address and for one that already has an account, so it carries nothing
 * that tells them apart.
 */
export interface SignUpOutcome {
  /** The address as an account holds it (trimmed, lower-cased): the one registered, or the one attempted. */
  readonly email: string;
}

/**
 * What registration is built from: the password flows' dependencies, and who may sign up (`signup`: the mode, the
 * domain list, invitations and the challenge). Without `signup` every public sign-up is let through (the seed's
 * behaviour, for callers that build a `Registration` by hand).
 */
export type RegistrationDeps = Pick<PasswordFlowDeps, 'users' | 'changes' | 'hasher' | 'policy' | 'clock' | 'notices' | 'requireVerifiedEmail'> & {
  readonly signup?: Pick<Signup, 'admit'>;
};

/** Creates accounts. */
export class Registration {
  readonly #deps: RegistrationDeps;

  /** Takes the account store, the event-carrying transactions, the hasher, the policy, the clock, the notices and the sign-up rules. */
  constructor(deps: RegistrationDeps) {
    this.#deps = deps;
  }

  /**
   * Creates an account (recording `account.created` with it); an email that is not an address raises
   * `InvalidEmailError`, a taken email `UserAlreadyExistsError`
   * (`User <email> already exists`), a password the policy refuses `WeakPasswordError`, a full scoring queue
   * `PasswordCheckBusyError`. `fields` carries the mail language (from `Accept-Language`) and, for an account an
   * operator creates, that the address is vouched for. The verification message, when one is owed, is enqueued in
   * the same transaction. For operators and the seed's `Auth`, who must know; the public sign-up is {@link signUp}.
   */
  async register(email: string, password: string, context: EventContext = NO_REQUEST, fields: NewAccountFields = {}): Promise<User> {
    return this.#register(email, password, context, fields, () => Promise.resolve());
  }

  /** {@link register}, spending what admitted the sign-up (an invitation) first in the account's transaction. */
  async #register(email: string, password: string, context: EventContext, fields: NewAccountFields, spend: (executor: Executor) => Promise<void>): Promise<User> {
    const normalised = checkedEmail(email);
    await this.#deps.policy.check(password, email, clientOf(context));
    const hashed = await this.#deps.hasher.hash(password);
    return this.#deps.changes.transact(async (tx, record) => {
      await spend(tx);
      const user = await this.#deps.users.in(tx).insert(normalised, hashed, this.#deps.clock(), fields);
      if (user.email_verified_at === null) await this.#deps.notices?.registered(tx, user);
      await record({ type: 'account.created', context, account: { userId: user.id } });
      return user;
    });
  }

  /**
   * The public sign-up (`POST /users`, the sign-up page). Without `REQUIRE_EMAIL_VERIFICATION` it is
   * {@link register}: a taken address raises `UserAlreadyExistsError` (the seed's `400 email already registered`).
   *
   * With it, a taken address is answered as a new one, by the same work, so neither the answer nor the work done
   * tells anyone which addresses have accounts (ASVS V6.3.8): the address is checked and the policy applied first
   * (a weak password is refused alike for both), then one bcrypt hash, then one transaction that looks the address
   * up, tries the insert (`insertIfAbsent`: one statement that writes nothing on a taken address), and then either
   * sends the new account its verification message and records `account.created`, or does the same statements for
   * the owner's "someone tried to register with your address" notice and records `account.registration_repeated`.
   * The caller learns nothing it did not type; the owner learns of the attempt from their own mailbox, and an
   * account without verification cannot be used, so telling "user created" to someone who created nothing misleads
   * only a person who does not own the address.
   *
   * Of two sign-ups racing for one new address, the unique index lets one insert; the other's insert writes nothing
   * once the first has committed, and it takes the taken path (its answer is the same, its owner lookup one
   * statement more).
   *
   * Before any of it, the sign-up rules ({@link RegistrationDeps.signup}) admit the sign-up or raise a
   * `SignupRefusedError` (closed, invitation only, a domain outside the list, a missing or bad challenge): decided
   * from the mode, the address's domain and what `ticket` brings, never from who has an account, so a refusal tells
   * no more than the modes themselves. An invitation is spent in the account's transaction (on the taken path too:
   * the same statements either way), and an account made from one starts verified: its link came from that mailbox.
   */
  async signUp(
    email: string,
    password: string,
    context: EventContext = NO_REQUEST,
    fields: NewAccountFields = {},
    ticket: SignupTicket = { surface: 'api' },
  ): Promise<SignUpOutcome> {
    const admission = this.#deps.signup === undefined ? undefined : await this.#deps.signup.admit(checkedEmail(email), ticket, context);
    const spend = admission?.spend ?? (() => Promise.resolve());
    if (admission?.invited === true) fields = { ...fields, emailVerifiedAt: this.#deps.clock() };
    if (this.#deps.requireVerifiedEmail !== true) return { email: (await this.#register(email, password, context, fields, spend)).email };
    const normalised = checkedEmail(email);
    // The policy before anything that depends on the address's owner: a weak password is refused alike for all.
    await this.#deps.policy.check(password, email, clientOf(context));
    // Hashed on both paths, though the taken path throws the hash away: bcrypt is most of a sign-up's time.
    const hashed = await this.#deps.hasher.hash(password);
    await this.#deps.changes.transact(async (tx, record) => {
      await spend(tx);
      const users = this.#deps.users.in(tx);
      const found = await users.findByEmail(normalised);
      // Tried on a taken address too, where it writes nothing: the same statement on both paths.
      const created = await users.insertIfAbsent(normalised, hashed, this.#deps.clock(), fields);
      if (created !== undefined) {
        if (created.email_verified_at === null) await this.#deps.notices?.registered(tx, created);
        await record({ type: 'account.created', context, account: { userId: created.id } });
        return;
      }
      // Taken before this transaction began, or, in a race, by a sign-up that committed while this insert waited on it.
      const owner = found ?? (await users.findByEmail(normalised));
      if (owner !== undefined) await this.#deps.notices?.registrationRepeated(tx, owner);
      await record({ type: 'account.registration_repeated', context, account: owner === undefined ? { email } : { userId: owner.id } });
    });
    return { email: normalised };
  }
}
