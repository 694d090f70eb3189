/**
 * Where one-time tokens are kept: the `VerificationTokenStore` port the flows that send tokens use, and its Kysely
 * implementation. Every query names the purpose, so a token issued for one thing never works for another.
 * @module
 */
import type { Executor } from '../../kernel/database/tables.js';
import type { User } from '../users/index.js';
import type { TokenPurpose } from './schema.js';

/** What the token flows need of storage; a store bound to a transaction writes in it. */
export interface VerificationTokenStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): VerificationTokenStore;
  /** Stores a new token for an account; with `replace`, the account's earlier unspent tokens of that purpose go. */
  issue(purpose: TokenPurpose, userId: number, tokenHash: string, expiresAt: number, now: number, options: { readonly replace: boolean }): Promise<void>;
  /** The account holding a live (unspent, unexpired) token of this purpose, by the token's hash, or undefined. */
  findHolder(purpose: TokenPurpose, tokenHash: string, now: number): Promise<User | undefined>;
  /** Spends a live token of this account; of several racing spends exactly one gets true. */
  consume(purpose: TokenPurpose, userId: number, tokenHash: string, now: number): Promise<boolean>;
  /** Deletes every unspent token of this purpose of an account (a password change makes reset links moot). */
  revokeAllOfUser(purpose: TokenPurpose, userId: number): Promise<number>;
  /** Deletes tokens past their expiry, spent or not; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

/** {@link VerificationTokenStore} over Kysely. */
export class KyselyVerificationStore implements VerificationTokenStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc VerificationTokenStore.in} */
  in(executor: Executor): VerificationTokenStore {
    return new KyselyVerificationStore(executor);
  }

  /** {@inheritDoc VerificationTokenStore.issue} */
  async issue(purpose: TokenPurpose, userId: number, tokenHash: string, expiresAt: number, now: number, options: { readonly replace: boolean }): Promise<void> {
    if (options.replace) await this.revokeAllOfUser(purpose, userId);
    await this.#db.insertInto('verification_tokens').values({ purpose, user_id: userId, token_hash: tokenHash, created_at: now, expires_at: expiresAt }).execute();
  }

  /** {@inheritDoc VerificationTokenStore.findHolder} */
  async findHolder(purpose: TokenPurpose, tokenHash: string, now: number): Promise<User | undefined> {
    return this.#db
      .selectFrom('verification_tokens')
      .innerJoin('users', 'users.id', 'verification_tokens.user_id')
      .selectAll('users')
      .where('verification_tokens.token_hash', '=', tokenHash)
      .where('verification_tokens.purpose', '=', purpose)
      .where('verification_tokens.consumed_at', 'is', null)
      .where('verification_tokens.expires_at', '>', now)
      .executeTakeFirst();
  }

  /** {@inheritDoc VerificationTokenStore.consume} */
  async consume(purpose: TokenPurpose, userId: number, tokenHash: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('verification_tokens')
      .set({ consumed_at: now })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('user_id', '=', userId)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc VerificationTokenStore.revokeAllOfUser} */
  async revokeAllOfUser(purpose: TokenPurpose, userId: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('verification_tokens')
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** {@inheritDoc VerificationTokenStore.purgeExpired} */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('verification_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
