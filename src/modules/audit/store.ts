/**
 * Where account events are kept: the `AuditStore` port and its Kysely implementation (append, read back, purge).
 * @module
 */
import type { Insertable } from 'kysely';
import type { Executor } from '../../kernel/database/tables.js';
import type { AuthEventsTable, StoredAuthEvent } from './schema.js';

/** A filter for {@link AuditStore.list}. */
export interface AuditFilter {
  /** Only this account's events. */
  readonly userId?: number;
  /** Only this type. */
  readonly type?: string;
  /** At most this many, newest first (default 100). */
  readonly limit?: number;
  /** Only events older than this event id: the next page after a page whose oldest event had this id. */
  readonly beforeId?: number;
}

/** What the audit log needs of storage; appends take the executor of the transaction they belong to. */
export interface AuditStore {
  /** Appends one event, inside the given transaction. */
  append(executor: Executor, row: Insertable<AuthEventsTable>): Promise<void>;
  /** Events matching the filter, newest first. */
  list(filter?: AuditFilter): Promise<StoredAuthEvent[]>;
  /** Deletes events older than `cutoff` (epoch ms); returns how many. */
  purgeOlderThan(cutoff: number): Promise<number>;
}

/** {@link AuditStore} over Kysely. */
export class KyselyAuditStore implements AuditStore {
  readonly #db: Executor;

  /** Takes the executor reads and purges go through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc AuditStore.append} */
  async append(executor: Executor, row: Insertable<AuthEventsTable>): Promise<void> {
    await executor.insertInto('auth_events').values(row).execute();
  }

  /** {@inheritDoc AuditStore.list} */
  async list(filter: AuditFilter = {}): Promise<StoredAuthEvent[]> {
    let query = this.#db.selectFrom('auth_events').selectAll();
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return query.orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
  }

  /** {@inheritDoc AuditStore.purgeOlderThan} */
  async purgeOlderThan(cutoff: number): Promise<number> {
    const result = await this.#db.deleteFrom('auth_events').where('created_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
