/**
 * Where reset tokens are kept: the `ResetTokenStore` port the reset flow uses, and its implementation on the `users`
 * table's `reset_token` columns (one live token per account, stored as its SHA-256).
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import type { User } from '../users/index.js';

/** What the reset flow needs of storage; a store bound to a transaction writes in it. */
export interface ResetTokenStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): ResetTokenStore;
  /** Stores a new token for a user, replacing any earlier one. */
  issue(userId: number, tokenHash: string, expiresAt: number, now: number): Promise<void>;
  /** The user holding a live token (by its hash), or undefined. */
  findHolder(tokenHash: string, now: number): Promise<User | undefined>;
  /** Spends the user's token if it is still live; of several racing spends exactly one gets true. */
  consume(userId: number, tokenHash: string, now: number): Promise<boolean>;
  /** Drops any outstanding token of a user (a password change makes it moot). */
  revokeAllOfUser(userId: number, now: number): Promise<void>;
  /** Removes expired tokens; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/** {@link ResetTokenStore} on the `users.reset_token` and `users.reset_token_expires_at` columns. */
export class UserColumnResetTokenStore implements ResetTokenStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc ResetTokenStore.in} */
  in(executor: Executor): ResetTokenStore {
    return new UserColumnResetTokenStore(executor);
  }

  /** {@inheritDoc ResetTokenStore.issue} */
  async issue(userId: number, tokenHash: string, expiresAt: number, now: number): Promise<void> {
    await this.#db.updateTable('users').set({ reset_token: tokenHash, reset_token_expires_at: expiresAt, updated_at: now }).where('id', '=', userId).execute();
  }

  /** {@inheritDoc ResetTokenStore.findHolder} */
  async findHolder(tokenHash: string, now: number): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('reset_token', '=', tokenHash).where('reset_token_expires_at', '>', now).executeTakeFirst();
  }

  /** {@inheritDoc ResetTokenStore.consume} */
  async consume(userId: number, tokenHash: string, now: number): Promise<boolean> {
    const updated = await this.#db
      .updateTable('users')
      .set({ reset_token: null, reset_token_expires_at: null, updated_at: now })
      .where('id', '=', userId)
      .where('reset_token', '=', tokenHash)
      .where('reset_token_expires_at', '>', now)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** {@inheritDoc ResetTokenStore.revokeAllOfUser} */
  async revokeAllOfUser(userId: number): Promise<void> {
    await this.#db.updateTable('users').set({ reset_token: null, reset_token_expires_at: null }).where('id', '=', userId).execute();
  }

  /** {@inheritDoc ResetTokenStore.purgeExpired} */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.#db
      .updateTable('users')
      .set({ reset_token: null, reset_token_expires_at: null })
      .where('reset_token_expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
