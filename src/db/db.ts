/**
 * The DB layer: every query Sesame makes lives here, so the layers above never write SQL.
 * @module
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError } from '../errors.js';
import { USER_COLUMNS, type User, type UserChanges } from '../user/user.js';
import type { SessionsTable } from '../user/session.js';
import type { Database } from './schema.js';
import type { Storage } from './storage.js';
import type BetterSqlite3 from 'better-sqlite3';

/** better-sqlite3's database handle, as the storage factory opens it. */
type SqliteDatabase = BetterSqlite3.Database;
/** A prepared better-sqlite3 statement. */
type SqliteStatement = BetterSqlite3.Statement;

/** A session's last use: `last_used_at`, or its start until it has been used since (engine-neutral SQL). */
const LAST_USED = sql<number>`coalesce(sessions.last_used_at, sessions.created_at)`;

/** The idle cut-off that lets every session through: no inactivity timeout. */
export const NO_IDLE_CUTOFF = -1;

/** The user a session belongs to, with when that session was last used (to know when to record a new use). */
export type SessionUser = User & { readonly session_last_used: number };

/** A column filter for {@link DB.findUserBy}: any subset of the user's columns, matched with equality. */
export type UserFilter = Partial<User>;

/** The seed's `DB` class over Kysely: user CRUD plus the session and reset-token queries the auth rules need. */
export class DB {
  readonly #db: Kysely<Database>;
  readonly #sessionLookupSql: string;
  readonly #sessionLookupStatement: SqliteStatement | undefined;

  /**
   * Takes an open Kysely instance (see `openStorage`); the caller owns its lifetime. Given the SQLite handle too
   * (as {@link DB.fromStorage} does), the per-request session check runs as a prepared statement straight on it.
   */
  constructor(db: Kysely<Database>, sqlite?: SqliteDatabase) {
    this.#db = db;
    // Parameters, in order: the session id hash, the current time, and the idle cut-off (last use must be later).
    this.#sessionLookupSql = db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(LAST_USED.as('session_last_used'))
      .where('sessions.id_hash', '=', '')
      .where('sessions.expires_at', '>', 0)
      .where(LAST_USED, '>', 0)
      .compile().sql;
    this.#sessionLookupStatement = sqlite?.prepare(this.#sessionLookupSql);
  }

  /** Builds the DB layer over an open storage, using the fastest path each engine offers for the session check. */
  static fromStorage(storage: Storage): DB {
    return new DB(storage.kysely, storage.client.engine === 'sqlite' ? storage.client.database : undefined);
  }

  /** Saves a new user and returns it; a taken email raises {@link UserAlreadyExistsError} (the unique index decides races). */
  async addUser(email: string, hashedPassword: string, now: number = Date.now()): Promise<User> {
    try {
      return await this.#db
        .insertInto('users')
        .values({ email, hashed_password: hashedPassword, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserAlreadyExistsError(`User ${email} already exists`);
      throw error;
    }
  }

  /** Returns the first user matching every given column; no match raises {@link NoResultFoundError}, a bad column {@link UnknownColumnError}. */
  async findUserBy(filter: UserFilter): Promise<User> {
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

  /** Locates a user with findUserBy, applies the changes and commits; an unknown column raises before anything is written. */
  async updateUser(userId: number, changes: UserChanges): Promise<void> {
    const entries = checkedEntries(changes, 'updateUser');
    await this.findUserBy({ id: userId });
    if (entries.length === 0) return;
    await this.#db
      .updateTable('users')
      .set({ updated_at: Date.now(), ...Object.fromEntries(entries) })
      .where('id', '=', userId)
      .execute();
  }

  /** Stores a new session row under the hash of its id. */
  async addSession(idHash: string, userId: number, createdAt: number, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({ id_hash: idHash, user_id: userId, created_at: createdAt, expires_at: expiresAt })
      .execute();
  }

  /**
   * The per-request check: one primary-key probe joined to its user, ignoring expired rows. Its SQL never changes,
   * so it is built and compiled once (Kysely would otherwise rebuild and recompile it on every request, about half
   * the cost of the lookup) and only the two parameters are bound each time.
   */
  async findUserBySessionHash(idHash: string, now: number, idleCutoff: number = NO_IDLE_CUTOFF): Promise<SessionUser | undefined> {
    // SQLite: better-sqlite3 is synchronous, so this read cannot interleave with another query; Kysely's driver
    // (a mutex and several promise hops per query) would roughly double the cost of the whole check.
    if (this.#sessionLookupStatement !== undefined) return this.#sessionLookupStatement.get(idHash, now, idleCutoff) as SessionUser | undefined;
    const { rows } = await this.#db.executeQuery<SessionUser>(CompiledQuery.raw(this.#sessionLookupSql, [idHash, now, idleCutoff]));
    return rows[0];
  }

  /** Records that a session was used now, which restarts its inactivity timeout. */
  async touchSession(idHash: string, now: number): Promise<void> {
    await this.#db.updateTable('sessions').set({ last_used_at: now }).where('id_hash', '=', idHash).execute();
  }

  /** Deletes one session and tells whether it was live (an expired row is removed but reported as absent). */
  async deleteSession(idHash: string, now: number): Promise<boolean> {
    const row = await this.#db
      .deleteFrom('sessions')
      .where('id_hash', '=', idHash)
      .returning('expires_at')
      .executeTakeFirst();
    return row !== undefined && row.expires_at > now;
  }

  /** The user's live sessions, newest first, for the session list (a user has a handful, found through `sessions_user_id_idx`). */
  async listUserSessions(
    userId: number,
    now: number,
    idleCutoff: number = NO_IDLE_CUTOFF,
  ): Promise<Array<Pick<SessionsTable, 'id_hash' | 'created_at' | 'expires_at'>>> {
    return this.#db
      .selectFrom('sessions')
      .select(['id_hash', 'created_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .where(LAST_USED, '>', idleCutoff)
      .orderBy('created_at', 'desc')
      .orderBy('id_hash')
      .execute();
  }

  /** Deletes every session of a user and returns how many there were. */
  async deleteUserSessions(userId: number): Promise<number> {
    const result = await this.#db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Sets a new password hash, clears any outstanding reset token and ends every session of the user, in one
   * transaction, so no old session or old token outlives the change.
   */
  async replacePassword(userId: number, newHash: string, now: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ hashed_password: newHash, reset_token: null, reset_token_expires_at: null, updated_at: now })
        .where('id', '=', userId)
        .execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  }

  /** Finds the user holding a live reset token (by its hash), or undefined. */
  async findUserByResetToken(tokenHash: string, now: number): Promise<User | undefined> {
    return this.#db
      .selectFrom('users')
      .selectAll()
      .where('reset_token', '=', tokenHash)
      .where('reset_token_expires_at', '>', now)
      .executeTakeFirst();
  }

  /**
   * Spends a reset token: in one transaction, sets the new hash and clears the token only if the token is still
   * live (so two racing requests cannot both win), then ends every session of that user.
   */
  async spendResetToken(userId: number, tokenHash: string, newHash: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ hashed_password: newHash, reset_token: null, reset_token_expires_at: null, updated_at: now })
        .where('id', '=', userId)
        .where('reset_token', '=', tokenHash)
        .where('reset_token_expires_at', '>', now)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      return true;
    });
  }

  /** Resolves when the database answers a trivial query; used by the health check. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  /** Removes expired sessions, reset tokens and rate-limit counters, so dead rows do not pile up; returns the counts. */
  async purgeExpired(now: number, idleCutoff: number = NO_IDLE_CUTOFF): Promise<{ sessions: number; resetTokens: number }> {
    const sessions = await this.#db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb(LAST_USED, '<=', idleCutoff)]))
      .executeTakeFirst();
    const tokens = await this.#db
      .updateTable('users')
      .set({ reset_token: null, reset_token_expires_at: null })
      .where('reset_token_expires_at', '<=', now)
      .executeTakeFirst();
    await this.#db.deleteFrom('rate_limits').where('expire', '<=', now).execute();
    return { sessions: Number(sessions.numDeletedRows), resetTokens: Number(tokens.numUpdatedRows) };
  }
}

/** Validates caller-supplied column names (they may come from untyped JS) and drops undefined values. */
function checkedEntries(record: object, method: string): Array<[keyof User, unknown]> {
  const entries = Object.entries(record).filter(([, value]) => value !== undefined);
  for (const [column] of entries) {
    if (!USER_COLUMNS.has(column)) throw new UnknownColumnError(`${method}: users has no column ${JSON.stringify(column)}`);
  }
  return entries as Array<[keyof User, unknown]>;
}

/** True for a unique-constraint failure on either engine (SQLite's extended code, PostgreSQL's SQLSTATE 23505). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
