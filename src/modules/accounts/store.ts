/**
 * Where the accounts module reads and writes: the `AccountStore` port and its Kysely implementation. Operator
 * actions span every table that holds something of an account (users, sessions, one-time tokens, audit events,
 * rate-limit counters, the mail outbox), so deleting or exporting one is a single place that must name them all.
 * @module
 */
import { sql } from 'kysely';
import type { Executor } from '../../kernel/database/tables.js';
import type { StoredAuthEvent } from '../audit/index.js';
import type { OutboxSummary } from '../mail/index.js';
import { accountKey } from '../rate-limits/index.js';
import type { SessionsTable } from '../sessions/index.js';
import type { User } from '../users/index.js';
import type { AccountState } from './schema.js';

/** A session row as the accounts module reads it: everything but the user id it was looked up by. */
export type StoredAccountSession = Pick<SessionsTable, 'id_hash' | 'created_at' | 'expires_at' | 'last_used_at' | 'ended_at' | 'end_reason'>;

/** An outbox row as the accounts module reads it: what was sent and when, never its recipient, subject, bodies or error. */
export type StoredAccountMail = Pick<OutboxSummary, 'kind' | 'channel' | 'status' | 'attempts' | 'created_at' | 'sent_at'>;

/** What a change of an account's state did: `changed`, `unchanged` (it was already in that state), or `not-found`. */
export type StateChange = 'changed' | 'unchanged' | 'not-found';

/** A filter and page of {@link AccountStore.list}. */
export interface AccountFilter {
  /** Normalised email prefix. */
  readonly emailPrefix?: string;
  readonly state?: AccountState;
  readonly limit: number;
  readonly offset: number;
}

/** What the account operations need of storage; a store bound to a transaction writes in it. */
export interface AccountStore {
  /** The same store writing inside a transaction. */
  in(executor: Executor): AccountStore;
  /** The account with this id, or undefined. */
  findById(userId: number): Promise<User | undefined>;
  /** The account with this (normalised) email, or undefined. */
  findByEmail(email: string): Promise<User | undefined>;
  /** Accounts matching the filter, ordered by id. */
  list(filter: AccountFilter): Promise<User[]>;
  /**
   * Marks an active account disabled with its reason and bumps its credential version (a login whose password check
   * is in flight then cannot create a session). `unchanged` when it was already disabled (its first reason and time
   * stay), `not-found` when there is no such account.
   */
  disable(userId: number, reason: string, now: number): Promise<StateChange>;
  /** Clears the disabled state; `unchanged` when the account was not disabled, `not-found` when there is none. */
  enable(userId: number, now: number): Promise<StateChange>;
  /**
   * Sets a password hash no password matches and bumps the credential version, so the account cannot be signed into
   * until its owner spends a reset token; false when there is no such account.
   */
  makePasswordUnusable(userId: number, unusableHash: string, now: number): Promise<boolean>;
  /** Every session row of the account still kept, newest first. */
  sessionsOf(userId: number): Promise<StoredAccountSession[]>;
  /** The account's audit events, newest first. */
  eventsOf(userId: number, limit: number | undefined, offset: number): Promise<StoredAuthEvent[]>;
  /** Every outbox row addressed to the account's (normalised) email, newest first. */
  mailOf(email: string): Promise<StoredAccountMail[]>;
  /**
   * Deletes the account and everything that names it (sessions, one-time tokens, rate-limit counters keyed by its
   * email, outbox rows addressed to it), and unlinks its audit events, which keep only the email's keyed pseudonym;
   * false when there was none.
   */
  deleteAccount(user: Pick<User, 'id' | 'email'>, emailPseudonym: string): Promise<boolean>;
}

/** {@link AccountStore} over Kysely. */
export class KyselyAccountStore implements AccountStore {
  readonly #db: Executor;

  /** Takes the executor to query through. */
  constructor(db: Executor) {
    this.#db = db;
  }

  /** {@inheritDoc AccountStore.in} */
  in(executor: Executor): AccountStore {
    return new KyselyAccountStore(executor);
  }

  /** {@inheritDoc AccountStore.findById} */
  async findById(userId: number): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  }

  /** {@inheritDoc AccountStore.findByEmail} */
  async findByEmail(email: string): Promise<User | undefined> {
    return this.#db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  /** {@inheritDoc AccountStore.list} */
  async list(filter: AccountFilter): Promise<User[]> {
    let query = this.#db.selectFrom('users').selectAll();
    if (filter.emailPrefix !== undefined && filter.emailPrefix !== '') {
      // substr, not LIKE: a prefix may hold `%` or `_`, which LIKE would read as wildcards.
      const prefix = filter.emailPrefix;
      query = query.where(sql<string>`substr(${sql.ref('email')}, 1, ${[...prefix].length})`, '=', prefix);
    }
    if (filter.state === 'active') query = query.where('disabled_at', 'is', null);
    if (filter.state === 'disabled') query = query.where('disabled_at', 'is not', null);
    return query.orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  }

  /** {@inheritDoc AccountStore.disable} */
  async disable(userId: number, reason: string, now: number): Promise<StateChange> {
    // Only an active row changes: of two disables at once, one updates and the other finds it disabled, so the
    // account gets one `account.disabled` event, and a repeat keeps the first reason and time.
    const result = await this.#db
      .updateTable('users')
      .set((eb) => ({ disabled_at: now, disabled_reason: reason, credential_version: eb('credential_version', '+', 1), updated_at: now }))
      .where('id', '=', userId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? 'changed' : await this.#unchangedOrMissing(userId);
  }

  /** {@inheritDoc AccountStore.enable} */
  async enable(userId: number, now: number): Promise<StateChange> {
    const result = await this.#db
      .updateTable('users')
      .set({ disabled_at: null, disabled_reason: null, updated_at: now })
      .where('id', '=', userId)
      .where('disabled_at', 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? 'changed' : await this.#unchangedOrMissing(userId);
  }

  /** After a conditional update changed no row: whether the account exists (so was already in that state) or not. */
  async #unchangedOrMissing(userId: number): Promise<StateChange> {
    const row = await this.#db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    return row === undefined ? 'not-found' : 'unchanged';
  }

  /** {@inheritDoc AccountStore.makePasswordUnusable} */
  async makePasswordUnusable(userId: number, unusableHash: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set((eb) => ({ hashed_password: unusableHash, credential_version: eb('credential_version', '+', 1), updated_at: now }))
      .where('id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** {@inheritDoc AccountStore.sessionsOf} */
  async sessionsOf(userId: number): Promise<StoredAccountSession[]> {
    return this.#db
      .selectFrom('sessions')
      .select(['id_hash', 'created_at', 'expires_at', 'last_used_at', 'ended_at', 'end_reason'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id_hash')
      .execute();
  }

  /** {@inheritDoc AccountStore.eventsOf} */
  async eventsOf(userId: number, limit: number | undefined, offset: number): Promise<StoredAuthEvent[]> {
    const query = this.#db.selectFrom('auth_events').selectAll().where('user_id', '=', userId).orderBy('id', 'desc');
    // PostgreSQL and SQLite both need a LIMIT before an OFFSET; "all" is the largest count either accepts.
    return query
      .limit(limit ?? Number.MAX_SAFE_INTEGER)
      .offset(offset)
      .execute();
  }

  /** {@inheritDoc AccountStore.mailOf} */
  async mailOf(email: string): Promise<StoredAccountMail[]> {
    return this.#db
      .selectFrom('mail_outbox')
      .select(['kind', 'channel', 'status', 'attempts', 'created_at', 'sent_at'])
      .where('recipient', '=', email)
      .orderBy('id', 'desc')
      .execute();
  }

  /** {@inheritDoc AccountStore.deleteAccount} */
  async deleteAccount(user: Pick<User, 'id' | 'email'>, emailPseudonym: string): Promise<boolean> {
    // Children first: sessions and tokens reference the account, and not every database enforces the cascade.
    await this.#db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await this.#db.deleteFrom('verification_tokens').where('user_id', '=', user.id).execute();
    await this.#db.updateTable('auth_events').set({ user_id: null, email_pseudonym: emailPseudonym }).where('user_id', '=', user.id).execute();
    // Counters are keyed by an unkeyed hash of the email, which anyone holding the address can recompute.
    await this.#db.deleteFrom('rate_limits').where('key', 'like', `%${accountKey(user.email)}%`).execute();
    // The outbox keeps the address in clear until MAIL_RETENTION; a message still waiting goes too (its links died
    // with the tokens above). Only rows to the current address are known to be the account's: a row carries no id.
    await this.#db.deleteFrom('mail_outbox').where('recipient', '=', user.email).execute();
    const result = await this.#db.deleteFrom('users').where('id', '=', user.id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
