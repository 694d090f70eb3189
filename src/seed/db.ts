/**
 * The seed's `DB` class, kept as a thin facade over the users module's store so its names stay findable and its
 * contract tested: `addUser`, `findUserBy`, `updateUser`.
 * @module
 */
import type { Kysely } from 'kysely';
import type { EngineTraits, Storage } from '../kernel/database/storage.js';
import type { SesameTables } from '../kernel/database/tables.js';
import { KyselyUserStore, type User, type UserChanges, type UserFilter, type UserStore } from '../modules/users/index.js';

/** The seed's `DB`: the account queries, over Kysely. */
export class DB {
  readonly #users: UserStore;

  /** Takes an open Kysely instance and the engine's traits (see `openStorage`); the caller owns its lifetime. */
  constructor(db: Kysely<SesameTables>, traits: EngineTraits) {
    this.#users = new KyselyUserStore(db, traits);
  }

  /** Builds the facade over an open storage. */
  static fromStorage(storage: Storage): DB {
    return new DB(storage.kysely, storage.traits);
  }

  /** Saves a new user and returns it; a taken email raises `UserAlreadyExistsError` (the unique index decides races). */
  async addUser(email: string, hashedPassword: string, now: number = Date.now()): Promise<User> {
    return this.#users.insert(email, hashedPassword, now);
  }

  /** Returns the first user matching every given column; no match raises `NoResultFoundError`, a bad column `UnknownColumnError`. */
  async findUserBy(filter: UserFilter): Promise<User> {
    return this.#users.findBy(filter);
  }

  /** Locates a user with findUserBy, applies the changes and commits; an unknown column raises before anything is written. */
  async updateUser(userId: number, changes: UserChanges): Promise<void> {
    await this.#users.update(userId, changes, Date.now());
  }
}
