/**
 * Where sessions are kept: the `SessionStore` port the session rules use, and its Kysely implementation, whose
 * per-request lookup is one primary-key probe joined to its user, compiled once.
 * @module
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { EngineTraits, PreparedRead } from '../../kernel/database/storage.js';
import type { Executor, SesameTables } from '../../kernel/database/tables.js';
import type { User } from '../users/index.js';
import { MAX_SESSION_IP, MAX_SESSION_USER_AGENT, type SessionDevice, type SessionEndReason, type SessionsTable } from './schema.js';

/**
 * A session's last use: `last_used_at`, or its start until it has been used since (engine-neutral SQL). The columns
 * are references, not text, so the table prefix reaches them.
 */
const LAST_USED = sql<number>`coalesce(${sql.ref('sessions.last_used_at')}, ${sql.ref('sessions.created_at')})`;

/** The idle cut-off that lets every session through: no inactivity timeout. */
export const NO_IDLE_CUTOFF = -1;

/** The user a live session belongs to, with when that session was last used (to know when to record a new use). */
export type SessionUser = User & { readonly session_last_used: number };

/** One of a user's sessions as the session list shows it. */
export type StoredSession = Pick<SessionsTable, 'id_hash' | 'created_at' | 'expires_at' | 'user_agent' | 'ip'> & { readonly last_seen_at: number };

/** The device columns of a row, cut to their widths (a longer value would fail the write on PostgreSQL). */
function deviceColumns(device: SessionDevice | undefined): Pick<SessionsTable, 'user_agent' | 'ip'> {
  return { user_agent: device?.userAgent?.slice(0, MAX_SESSION_USER_AGENT) ?? null, ip: device?.ip?.slice(0, MAX_SESSION_IP) ?? null };
}

/** What the session rules need of storage; a store bound to a transaction writes in it. */
export interface SessionStore {
  /** The same store writing inside a transaction (or another executor). */
  in(executor: Executor): SessionStore;
  /** Stores a new session row under the hash of its id, with the device it was started from when known. */
  insert(idHash: string, userId: number, createdAt: number, expiresAt: number, device?: SessionDevice): Promise<void>;
  /**
   * Stores a new session only if the account's credential version is still the one its password was checked
   * against, in one statement (locking the account row where the engine has row locks), so a password change or
   * reset that commits meanwhile wins; true when it was stored.
   */
  insertIfCredentialCurrent(idHash: string, userId: number, credentialVersion: number, createdAt: number, expiresAt: number, device?: SessionDevice): Promise<boolean>;
  /** The per-request check: the user of a session that is neither ended, expired nor idle past `idleCutoff`, or undefined. */
  findLive(idHash: string, now: number, idleCutoff: number): Promise<SessionUser | undefined>;
  /**
   * Records that a session was used now (which restarts its inactivity timeout), and from where when `device` is
   * given; without it the recorded device stays as it was.
   */
  touch(idHash: string, now: number, device?: SessionDevice): Promise<void>;
  /**
   * Marks one live session ended for `reason`; returns its user's id, or undefined when it was not live (ended or
   * expired ones are left as they are).
   */
  end(idHash: string, reason: SessionEndReason, now: number): Promise<number | undefined>;
  /** Why a session that is no longer live ended, or undefined for one never issued (or already purged). */
  endReasonOf(idHash: string): Promise<SessionEndReason | null | undefined>;
  /** Marks every session of a user that has not ended yet ended for `reason`; returns how many. */
  endAllOfUser(userId: number, reason: SessionEndReason, now: number): Promise<number>;
  /** The user's live sessions, newest first (a user has a handful, found through `sessions_user_id_idx`). */
  listLive(userId: number, now: number, idleCutoff: number): Promise<StoredSession[]>;
  /**
   * Deletes rows past their original expiry (ended or not) and marks live sessions idle past `idleCutoff` ended as
   * `expired`; returns how many rows each step touched.
   */
  purgeExpired(now: number, idleCutoff: number): Promise<{ readonly deleted: number; readonly endedIdle: number }>;
}

/** {@link SessionStore} over Kysely, with the per-request lookup prepared on the driver itself. */
export class KyselySessionStore implements SessionStore {
  readonly #db: Executor;
  readonly #traits: EngineTraits;
  readonly #lookupSql: string;
  readonly #lookupStatement: PreparedRead | undefined;

  /**
   * Takes the executor and the engine's traits. The lookup's SQL never changes, so it is built and compiled once
   * (Kysely would otherwise rebuild and recompile it on every request, about half the cost of the lookup) and only
   * its three parameters are bound each time: the id hash, the current time and the idle cut-off.
   */
  constructor(db: Executor, traits: EngineTraits, lookup?: { readonly sql: string; readonly statement: PreparedRead | undefined }) {
    this.#db = db;
    this.#traits = traits;
    this.#lookupSql = lookup?.sql ?? compileLookup(db);
    this.#lookupStatement = lookup === undefined ? traits.prepareRead?.(this.#lookupSql) : lookup.statement;
  }

  /** {@inheritDoc SessionStore.in} */
  in(executor: Executor): SessionStore {
    // Inside a transaction the lookup must run on the transaction's connection, not the prepared handle.
    return new KyselySessionStore(executor, this.#traits, { sql: this.#lookupSql, statement: undefined });
  }

  /** {@inheritDoc SessionStore.insert} */
  async insert(idHash: string, userId: number, createdAt: number, expiresAt: number, device?: SessionDevice): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({ id_hash: idHash, user_id: userId, created_at: createdAt, expires_at: expiresAt, ...deviceColumns(device) })
      .execute();
  }

  /** {@inheritDoc SessionStore.insertIfCredentialCurrent} */
  async insertIfCredentialCurrent(
    idHash: string,
    userId: number,
    credentialVersion: number,
    createdAt: number,
    expiresAt: number,
    device?: SessionDevice,
  ): Promise<boolean> {
    const { user_agent: userAgent, ip } = deviceColumns(device);
    const result = await this.#db
      .insertInto('sessions')
      .columns(['id_hash', 'user_id', 'created_at', 'expires_at', 'user_agent', 'ip'])
      .expression((eb) => {
        // Values in a SELECT list carry no type PostgreSQL could infer from the target columns: cast them.
        const source = eb
          .selectFrom('users')
          .select((s) => [
            s.cast<string>(s.val(idHash), 'varchar(64)').as('id_hash'),
            'users.id as user_id',
            s.cast<number>(s.val(createdAt), 'bigint').as('created_at'),
            s.cast<number>(s.val(expiresAt), 'bigint').as('expires_at'),
            s.cast<string | null>(s.val(userAgent), `varchar(${MAX_SESSION_USER_AGENT})`).as('user_agent'),
            s.cast<string | null>(s.val(ip), `varchar(${MAX_SESSION_IP})`).as('ip'),
          ])
          .where('users.id', '=', userId)
          .where('users.credential_version', '=', credentialVersion);
        // FOR SHARE waits for a password change holding the account row and then re-checks the version against the
        // committed row; without it PostgreSQL's READ COMMITTED would read the version from before the change.
        return this.#traits.rowLocks ? source.forShare() : source;
      })
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** {@inheritDoc SessionStore.findLive} */
  async findLive(idHash: string, now: number, idleCutoff: number): Promise<SessionUser | undefined> {
    // Straight to the driver: Kysely's (a mutex on SQLite, a pool checkout on PostgreSQL, and several promise hops)
    // would roughly double the cost of the whole check. On SQLite the read is synchronous, so it cannot interleave.
    if (this.#lookupStatement !== undefined) {
      const found = this.#lookupStatement.get(idHash, now, idleCutoff);
      return (found instanceof Promise ? await found : found) as SessionUser | undefined;
    }
    const { rows } = await this.#db.executeQuery<SessionUser>(CompiledQuery.raw(this.#lookupSql, [idHash, now, idleCutoff]));
    return rows[0];
  }

  /** {@inheritDoc SessionStore.touch} */
  async touch(idHash: string, now: number, device?: SessionDevice): Promise<void> {
    const seen = device === undefined ? {} : deviceColumns(device);
    await this.#db
      .updateTable('sessions')
      .set({ last_used_at: now, ...seen })
      .where('id_hash', '=', idHash)
      .execute();
  }

  /** {@inheritDoc SessionStore.end} */
  async end(idHash: string, reason: SessionEndReason, now: number): Promise<number | undefined> {
    const row = await this.#db
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: reason })
      .where('id_hash', '=', idHash)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  /** {@inheritDoc SessionStore.endReasonOf} */
  async endReasonOf(idHash: string): Promise<SessionEndReason | null | undefined> {
    const row = await this.#db.selectFrom('sessions').select('end_reason').where('id_hash', '=', idHash).executeTakeFirst();
    return row?.end_reason;
  }

  /** {@inheritDoc SessionStore.endAllOfUser} */
  async endAllOfUser(userId: number, reason: SessionEndReason, now: number): Promise<number> {
    const result = await this.#db
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: reason })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** {@inheritDoc SessionStore.listLive} */
  async listLive(userId: number, now: number, idleCutoff: number): Promise<StoredSession[]> {
    return this.#db
      .selectFrom('sessions')
      .select(['id_hash', 'created_at', 'expires_at', 'user_agent', 'ip', LAST_USED.as('last_seen_at')])
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .where(LAST_USED, '>', idleCutoff)
      .orderBy('created_at', 'desc')
      .orderBy('id_hash')
      .execute();
  }

  /** {@inheritDoc SessionStore.purgeExpired} */
  async purgeExpired(now: number, idleCutoff: number): Promise<{ readonly deleted: number; readonly endedIdle: number }> {
    const deleted = await this.#db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    const endedIdle = await this.#db
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: 'expired' })
      .where('ended_at', 'is', null)
      .where(LAST_USED, '<=', idleCutoff)
      .executeTakeFirst();
    return { deleted: Number(deleted.numDeletedRows), endedIdle: Number(endedIdle.numUpdatedRows) };
  }
}

/** The lookup's SQL with three placeholders: the id hash, the current time, and the idle cut-off (last use must be later). */
function compileLookup(db: Kysely<SesameTables>): string {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(LAST_USED.as('session_last_used'))
    .where('sessions.id_hash', '=', '')
    .where('sessions.expires_at', '>', 0)
    .where(LAST_USED, '>', 0)
    .where('sessions.ended_at', 'is', null)
    // Disabling ends every session, but a password change in flight may still insert one after it: refuse it here.
    .where('users.disabled_at', 'is', null)
    .compile().sql;
}
