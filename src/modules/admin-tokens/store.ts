/**
 * Where admin tokens are kept: the `AdminTokenStore` port and its Kysely implementation.
 * @module
 */
import type { Selectable } from 'kysely';
import type { Executor } from '../../kernel/database/tables.js';
import type { AdminTokensTable } from './schema.js';

/** A stored token, as the store returns it. */
export type StoredAdminToken = Selectable<AdminTokensTable>;

/** What the admin-token rules need of storage. */
export interface AdminTokenStore {
  /** The same store writing inside a transaction (a change and its audit event commit together). */
  in(executor: Executor): AdminTokenStore;
  /** Stores a new token's hash; returns its id. */
  insert(name: string, tokenHash: string, createdBy: string, now: number): Promise<number>;
  /** The token with this hash that is not revoked, or undefined. */
  findLive(tokenHash: string): Promise<StoredAdminToken | undefined>;
  /** Every token, revoked ones included, oldest first. */
  list(): Promise<StoredAdminToken[]>;
  /** Marks a token revoked; false when no live token has that id. */
  revoke(id: number, now: number): Promise<boolean>;
  /** Records a use (the admin API calls it at most once a minute per token). */
  touch(id: number, now: number): Promise<void>;
}

/** {@link AdminTokenStore} over Kysely. */
export class KyselyAdminTokenStore implements AdminTokenStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc AdminTokenStore.in} */
  in(executor: Executor): AdminTokenStore {
    return new KyselyAdminTokenStore(executor);
  }

  /** {@inheritDoc AdminTokenStore.insert} */
  async insert(name: string, tokenHash: string, createdBy: string, now: number): Promise<number> {
    const row = await this.#db
      .insertInto('admin_tokens')
      .values({ name, token_hash: tokenHash, created_by: createdBy, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** {@inheritDoc AdminTokenStore.findLive} */
  async findLive(tokenHash: string): Promise<StoredAdminToken | undefined> {
    return this.#db.selectFrom('admin_tokens').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
  }

  /** {@inheritDoc AdminTokenStore.list} */
  async list(): Promise<StoredAdminToken[]> {
    return this.#db.selectFrom('admin_tokens').selectAll().orderBy('id').execute();
  }

  /** {@inheritDoc AdminTokenStore.revoke} */
  async revoke(id: number, now: number): Promise<boolean> {
    const result = await this.#db.updateTable('admin_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc AdminTokenStore.touch} */
  async touch(id: number, now: number): Promise<void> {
    await this.#db.updateTable('admin_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
