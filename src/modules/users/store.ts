/**
 * Where accounts are kept: the `UserStore` port the account rules use, and its Kysely implementation on either engine.
 * @module
 */
import type { EngineTraits } from '../../kernel/database/storage.js';
import type { Executor } from '../../kernel/database/tables.js';
import { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError } from './errors.js';
import { USER_COLUMNS, type NewUser, type User, type UserChanges } from './schema.js';

/** A column filter for {@link UserStore.findBy}: any subset of the user's columns, matched with equality. */
export type UserFilter = Partial<User>;

/** What the account rules need of storage; a store bound to a transaction writes in it. */
export interface UserStore {
  /** The same store writing inside a transaction (or another executor). */
  in(executor: Executor): UserStore;
  /** Saves a new user and returns it; a taken email raises {@link UserAlreadyExistsError} (the unique index decides races). */
  insert(email: string, hashedPassword: string, now: number, extra?: NewAccountFields): Promise<User>;
  /**
   * Saves a new user and returns it, or undefined when the email is taken, without raising: the same single
   * statement either way (`INSERT ... ON CONFLICT DO NOTHING`), so a caller that must do equal work for a new and a
   * taken address can run it on both and stay in its transaction (a failed statement would abort a PostgreSQL one).
   * The unique index still decides races: of two racing calls for one new address, one gets the row, the other
   * undefined once the first has committed.
   */
  insertIfAbsent(email: string, hashedPassword: string, now: number, extra?: NewAccountFields): Promise<User | undefined>;
  /** The first user matching every given column; no match raises {@link NoResultFoundError}, a bad column {@link UnknownColumnError}. */
  findBy(filter: UserFilter): Promise<User>;
  /** The user with this (already normalised) email, or undefined. */
  findByEmail(email: string): Promise<User | undefined>;
  /** Applies changes to a user found by id; an unknown column raises before anything is written, a missing id raises {@link NoResultFoundError}. */
  update(userId: number, changes: UserChanges, now: number): Promise<void>;
  /**
   * Replaces the password (change or reset): sets the new hash and bumps the credential version, so no session can
   * be created any more for a password checked before. Run it in the transaction that ends the sessions.
   */
  replacePassword(userId: number, hashedPassword: string, now: number): Promise<void>;
  /**
   * Stores a stronger hash of the same password, only if the stored hash is still the one that was verified: a
   * password change that committed in between must never be overwritten by the old password's upgrade. True when
   * it was stored.
   */
  upgradeHash(userId: number, verifiedHash: string, strongerHash: string, now: number): Promise<boolean>;
  /** Records that the owner proved the address receives mail (kept at the first proof). */
  markEmailVerified(userId: number, now: number): Promise<void>;
  /**
   * Moves an account to a new address, verified by the same act (the owner confirmed it from that mailbox); raises
   * `UserAlreadyExistsError` when another account took the address meanwhile.
   */
  changeEmail(userId: number, newEmail: string, now: number): Promise<void>;
  /** Sets the language Sesame writes to the account in. */
  setLanguage(userId: number, language: string, now: number): Promise<void>;
}

/** What an account may be created with besides its email and hash. */
export interface NewAccountFields {
  /** The language mail is written in (default `en`). */
  readonly language?: string;
  /** Created already verified (an operator vouching for the address), in epoch ms. */
  readonly emailVerifiedAt?: number;
}

/** {@link UserStore} over Kysely. */
export class KyselyUserStore implements UserStore {
  readonly #db: Executor;
  readonly #traits: EngineTraits;

  /** Takes the executor to query through and the engine's traits. */
  constructor(db: Executor, traits: EngineTraits) {
    this.#db = db;
    this.#traits = traits;
  }

  /** {@inheritDoc UserStore.in} */
  in(executor: Executor): UserStore {
    return new KyselyUserStore(executor, this.#traits);
  }

  /** {@inheritDoc UserStore.insert} */
  async insert(email: string, hashedPassword: string, now: number, extra: NewAccountFields = {}): Promise<User> {
    try {
      return await this.#db
        .insertInto('users')
        .values(newRow(email, hashedPassword, now, extra))
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (this.#traits.isUniqueViolation(error)) throw new UserAlreadyExistsError(email);
      throw error;
    }
  }

  /** {@inheritDoc UserStore.insertIfAbsent} */
  async insertIfAbsent(email: string, hashedPassword: string, now: number, extra: NewAccountFields = {}): Promise<User | undefined> {
    return this.#db
      .insertInto('users')
      .values(newRow(email, hashedPassword, now, extra))
      .onConflict((conflict) => conflict.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** {@inheritDoc UserStore.findBy} */
  async findBy(filter: UserFilter): Promise<User> {
    const entries = checkedEntries(filter, 'findUserBy');
    if (entries.length === 0) throw new UnknownColumnError('findUserBy needs at least one column to match');
    let query = this.#db.selectFrom('users').selectAll();
    for (const [column, value] of entries) {
      query = value === null ? query.where(column, 'is', null) : query.where(column, '=', value as never);
    }
    const user = await query.orderBy('id').limit(1).executeTakeFirst();
    if (user === undefined) throw new NoResultFoundError(`no user matches ${entries.map(([c]) => c).join(', ')}`);
    return user;
  }

  /** {@inheritDoc UserStore.findByEmail} */
  async findByEmail(email: string): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  /** {@inheritDoc UserStore.update} */
  async update(userId: number, changes: UserChanges, now: number): Promise<void> {
    const entries = checkedEntries(changes, 'updateUser');
    await this.findBy({ id: userId });
    if (entries.length === 0) return;
    await this.#db
      .updateTable('users')
      .set({ updated_at: now, ...Object.fromEntries(entries) })
      .where('id', '=', userId)
      .execute();
  }

  /** {@inheritDoc UserStore.replacePassword} */
  async replacePassword(userId: number, hashedPassword: string, now: number): Promise<void> {
    await this.#db
      .updateTable('users')
      .set((eb) => ({ hashed_password: hashedPassword, credential_version: eb('credential_version', '+', 1), updated_at: now }))
      .where('id', '=', userId)
      .execute();
  }

  /** {@inheritDoc UserStore.upgradeHash} */
  async upgradeHash(userId: number, verifiedHash: string, strongerHash: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ hashed_password: strongerHash, updated_at: now })
      .where('id', '=', userId)
      .where('hashed_password', '=', verifiedHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc UserStore.markEmailVerified} */
  async markEmailVerified(userId: number, now: number): Promise<void> {
    await this.#db.updateTable('users').set({ email_verified_at: now, updated_at: now }).where('id', '=', userId).where('email_verified_at', 'is', null).execute();
  }

  /** {@inheritDoc UserStore.changeEmail} */
  async changeEmail(userId: number, newEmail: string, now: number): Promise<void> {
    try {
      await this.#db.updateTable('users').set({ email: newEmail, email_verified_at: now, updated_at: now }).where('id', '=', userId).execute();
    } catch (error) {
      if (this.#traits.isUniqueViolation(error)) throw new UserAlreadyExistsError(newEmail);
      throw error;
    }
  }

  /** {@inheritDoc UserStore.setLanguage} */
  async setLanguage(userId: number, language: string, now: number): Promise<void> {
    await this.#db.updateTable('users').set({ language, updated_at: now }).where('id', '=', userId).execute();
  }
}

/** The row a new account is inserted as (both insert paths write the same columns). */
function newRow(email: string, hashedPassword: string, now: number, extra: NewAccountFields): NewUser {
  return {
    email,
    hashed_password: hashedPassword,
    created_at: now,
    updated_at: now,
    ...(extra.language === undefined ? {} : { language: extra.language }),
    ...(extra.emailVerifiedAt === undefined ? {} : { email_verified_at: extra.emailVerifiedAt }),
  };
}

/** Validates caller-supplied column names (they may come from untyped JS) and drops undefined values. */
function checkedEntries(record: object, method: string): Array<[keyof User, unknown]> {
  const entries = Object.entries(record).filter(([, value]) => value !== undefined);
  for (const [column] of entries) {
    if (!USER_COLUMNS.has(column)) throw new UnknownColumnError(`${method}: users has no column ${JSON.stringify(column)}`);
  }
  return entries as Array<[keyof User, unknown]>;
}
