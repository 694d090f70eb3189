/**
 * The account operations operators and owners need beyond the password flows: find and list accounts, disable and
 * enable them, end their sessions, force a password reset, delete them and export what Sesame holds about them.
 * Every action runs in one transaction with the audit event that records it and its actor.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Changes, EventContext } from '../../kernel/events.js';
import { generateToken, generateUuid, hashToken, type TokenFormat } from '../../kernel/tokens.js';
import type { StoredAuthEvent } from '../audit/index.js';
import type { PasswordHasher, ResetConfig, ResetMailer, ResetTokenSender } from '../password/index.js';
import { sessionHandle, type SessionService, type ValidSession } from '../sessions/index.js';
import { isDisabled, normaliseEmail, type User } from '../users/index.js';
import { cancelledDetail, type CancelPendingProofs, type VerificationTokenStore } from '../verification/index.js';
import { AccountError } from './errors.js';
import type { AccountsEvent } from './events.js';
import type {
  AccountDetails,
  AccountEvent,
  AccountExport,
  AccountQuery,
  AccountView,
  Disabled,
  Enabled,
  ForcedReset,
  ForcedResetDelivery,
  MailRecord,
  Page,
  SessionRecord,
} from './schema.js';
import type { AccountStore, StoredAccountMail, StoredAccountSession } from './store.js';

/** How many events {@link AccountsService.show} includes. */
const RECENT_EVENTS = 20;

/** Longest disable reason kept (the column's width, in characters). */
const REASON_WIDTH = 256;

/** What {@link AccountsService} is built from. */
export interface AccountsServiceDeps {
  readonly store: AccountStore;
  /** Transactions that carry the module's events. */
  readonly changes: Changes<AccountsEvent>;
  /** Ends sessions, so each ends with a reason the session module knows. */
  readonly sessions: SessionService;
  /** One-time tokens: a force-reset issues one. */
  readonly tokens: VerificationTokenStore;
  /**
   * Spends reset links and cancels a pending change of address: every operator remedy (force-reset, disable, ending
   * the sessions, delete) calls it, since someone who knew the password may have asked to move the account.
   */
  readonly cancelPending: CancelPendingProofs;
  /** Checks the owner's password before a deletion, and hashes the unusable password of a force-reset. */
  readonly hasher: PasswordHasher;
  /** The email's keyed pseudonym, which the audit rows of a deleted account keep instead of its id. */
  readonly pseudonym: (email: string) => string;
  readonly clock: Clock;
  readonly tokenFormat: TokenFormat;
  /** Reset-token lifetime. */
  readonly reset: ResetConfig;
  /** Where a force-reset's token goes; undefined when no delivery is configured. */
  readonly resetDelivery: ResetTokenSender | undefined;
  /** With mail or webhook delivery: enqueues the force-reset's message in its transaction (`resetDelivery` then only wakes the outbox). */
  readonly resetMail?: ResetMailer;
  /** Which way `resetMail`'s messages leave (default `email`), for the force-reset's report. */
  readonly resetVia?: 'email' | 'webhook';
  /** Without a delivery, hand a force-reset's token back to the caller (development only: never in production). */
  readonly returnResetTokens: boolean;
  /** The inactivity timeout, so {@link AccountsService.show} lists the sessions that still work. */
  readonly idleTimeoutMs: number;
}

/** Account operations for operators (CLI, admin API) and the account's owner. */
export class AccountsService {
  readonly #deps: AccountsServiceDeps;

  /** Takes its store, the event-carrying transactions and the other modules' services an action spans. */
  constructor(deps: AccountsServiceDeps) {
    this.#deps = deps;
  }

  /** The account with this id (a number, or a string of digits), or with this email (matched normalised), or undefined. */
  async find(emailOrId: string | number): Promise<AccountView | undefined> {
    const user = await this.#lookup(emailOrId);
    return user === undefined ? undefined : toView(user);
  }

  /** A page of accounts, ordered by id, optionally only those whose email starts with a prefix or in one state. */
  async list(query: AccountQuery): Promise<AccountView[]> {
    const rows = await this.#deps.store.list({
      ...(query.emailPrefix === undefined ? {} : { emailPrefix: normaliseEmail(query.emailPrefix) }),
      ...(query.state === undefined ? {} : { state: query.state }),
      limit: query.limit,
      offset: query.offset,
    });
    return rows.map(toView);
  }

  /** The account (without hashes), its live sessions as handles and its 20 most recent events; `account.not_found` for none. */
  async show(id: number): Promise<AccountDetails> {
    const user = await this.#required(id);
    const now = this.#deps.clock();
    const idleCutoff = this.#deps.idleTimeoutMs > 0 ? now - this.#deps.idleTimeoutMs : -1;
    const live = (await this.#deps.store.sessionsOf(id)).filter(
      (row) => row.ended_at === null && Number(row.expires_at) > now && Number(row.last_used_at ?? row.created_at) > idleCutoff,
    );
    const events = await this.#deps.store.eventsOf(id, RECENT_EVENTS, 0);
    return { account: toView(user), sessions: live.map(toSessionRecord), events: events.map(toEvent) };
  }

  /**
   * Disables the account, in one transaction: marks it with the reason, bumps its credential version (a login whose
   * password check is in flight creates no session), ends every session (reason `disabled`), spends its reset
   * links, cancels a pending change of address and records `account.disabled`. Says how many sessions ended;
   * `account.not_found` for no such account. An account already disabled is left as it is (its first reason stays)
   * and no second event is recorded: the audit log then says once when and why it was disabled, and a script that
   * repeats the command learns it was already done (`alreadyDisabled`).
   */
  async disable(id: number, reason: string, context: EventContext): Promise<Disabled> {
    const kept = [...reason].slice(0, REASON_WIDTH).join('');
    return this.#deps.changes.transact(async (tx, record) => {
      const change = await this.#deps.store.in(tx).disable(id, kept, this.#deps.clock());
      if (change === 'not-found') throw notFound(id);
      // A disabled account has no live session, reset link or pending change of address left to end: its disable
      // ended them, and none can be made while it stays disabled.
      if (change === 'unchanged') return { sessionsEnded: 0, alreadyDisabled: true };
      const cancelled = await this.#deps.cancelPending(tx, id);
      const ended = await this.#deps.sessions.endAllOfUser(id, 'disabled', tx);
      await record({ type: 'account.disabled', context, account: { userId: id }, detail: { sessionsEnded: ended, ...cancelledDetail(cancelled) } });
      return { sessionsEnded: ended, alreadyDisabled: false };
    });
  }

  /**
   * Enables a disabled account again (its password works again; ended sessions stay ended) and records
   * `account.enabled`. Nothing the disable spent or cancelled comes back: a change of address asked before it stays
   * dead. An account that is not disabled is left as it is, with no event (`alreadyEnabled`).
   */
  async enable(id: number, context: EventContext): Promise<Enabled> {
    return this.#deps.changes.transact(async (tx, record) => {
      const change = await this.#deps.store.in(tx).enable(id, this.#deps.clock());
      if (change === 'not-found') throw notFound(id);
      if (change === 'unchanged') return { alreadyEnabled: true };
      await record({ type: 'account.enabled', context, account: { userId: id } });
      return { alreadyEnabled: false };
    });
  }

  /**
   * Deletes the account with its sessions, one-time tokens, rate-limit counters and the outbox's messages to its
   * address, in one transaction; its audit events stay (until retention) without its id, under its email's keyed
   * pseudonym, and `account.deleted` is recorded the same way. `account.not_found` for no such account.
   */
  async delete(id: number, context: EventContext): Promise<void> {
    const user = await this.#required(id);
    await this.#deps.changes.transact(async (tx, record) => {
      // The deletion below takes every token anyway; the remedy runs first so no path that takes an account away skips it.
      await this.#deps.cancelPending(tx, id);
      if (!(await this.#deps.store.in(tx).deleteAccount(user, this.#deps.pseudonym(user.email)))) throw notFound(id);
      await record({ type: 'account.deleted', context, account: { email: user.email } });
    });
  }

  /**
   * The owner deletes their own account, proving the password again (a stolen cookie alone must not erase an
   * account); false for a wrong password, recorded as `account.delete_failed`.
   */
  async deleteOwn(session: ValidSession, password: string, context: EventContext): Promise<boolean> {
    const { user } = session;
    if (!(await this.#deps.hasher.verify(password, user.hashed_password))) {
      await this.#deps.changes.transact((_tx, record) => record({ type: 'account.delete_failed', context, account: { userId: user.id } }));
      return false;
    }
    await this.delete(user.id, context);
    return true;
  }

  /**
   * Ends every session of the account (reason `revoked`), spends its reset links, cancels a pending change of address
   * (an operator ends sessions because someone else holds the account) and records `account.sessions_revoked`;
   * returns how many sessions ended.
   */
  async revokeSessions(id: number, context: EventContext): Promise<number> {
    await this.#required(id);
    return this.#deps.changes.transact(async (tx, record) => {
      const cancelled = await this.#deps.cancelPending(tx, id);
      const ended = await this.#deps.sessions.endAllOfUser(id, 'revoked', tx);
      await record({ type: 'account.sessions_revoked', context, account: { userId: id }, detail: { sessionsEnded: ended, ...cancelledDetail(cancelled) } });
      return ended;
    });
  }

  /**
   * Forces a password reset, in one transaction: the password becomes unusable (the hash of a random secret nobody
   * keeps, so a login still does a full bcrypt comparison and answers as a wrong password), the credential version
   * moves, every session ends (reason `password_reset`), earlier reset links are spent, a pending change of address is
   * cancelled, a new link is issued, and `account.force_reset` is recorded. With mail or the signed webhook the
   * message is enqueued in that transaction and never held by the per-recipient limit (the links it replaces are
   * already spent: holding it would leave the owner no way back in); the answer and the event say what became of it.
   * Otherwise, once committed, the token goes out through the unsigned webhook or, in development only, back to the
   * caller.
   */
  async forceReset(id: number, context: EventContext): Promise<ForcedReset> {
    const user = await this.#required(id);
    const unusable = await this.#deps.hasher.hash(generateUuid() + generateUuid());
    const token = generateToken(this.#deps.tokenFormat);
    const now = this.#deps.clock();
    const afterCommit = this.#deps.resetDelivery !== undefined ? 'webhook' : this.#deps.returnResetTokens ? 'returned' : 'none';
    const done = await this.#deps.changes.transact(async (tx, record) => {
      if (!(await this.#deps.store.in(tx).makePasswordUnusable(id, unusable, now))) throw notFound(id);
      // Before the new link is issued, so the remedy spends every link but this one.
      const cancelled = await this.#deps.cancelPending(tx, id);
      await this.#deps.tokens.in(tx).issue('password_reset', id, hashToken(token), now + this.#deps.reset.tokenTtlMs, now, { replace: false });
      const queued = this.#deps.resetMail === undefined ? undefined : await this.#deps.resetMail(tx, user, token, user.email, { operator: true });
      const delivering = queued === undefined ? afterCommit : queued ? (this.#deps.resetVia ?? 'email') : 'none';
      const ended = await this.#deps.sessions.endAllOfUser(id, 'password_reset', tx);
      await record({ type: 'account.force_reset', context, account: { userId: id }, detail: { sessionsEnded: ended, delivery: delivering, ...cancelledDetail(cancelled) } });
      return { ended, queued };
    });
    return { sessionsEnded: done.ended, delivery: await this.#deliver(user.email, token, done.queued) };
  }

  /**
   * Everything Sesame holds about the account: the account without hashes, every kept session as a handle, every kept
   * event, and the messages sent to its address (what and when, never a body).
   */
  async exportOf(id: number): Promise<AccountExport> {
    const user = await this.#required(id);
    const sessions = await this.#deps.store.sessionsOf(id);
    const events = await this.#deps.store.eventsOf(id, undefined, 0);
    const mail = await this.#deps.store.mailOf(user.email);
    return { account: toView(user), sessions: sessions.map(toSessionRecord), events: events.map(toEvent), mail: mail.map(toMailRecord) };
  }

  /** A page of the account's audit events, newest first. */
  async eventsOf(userId: number, page: Page): Promise<AccountEvent[]> {
    return (await this.#deps.store.eventsOf(userId, page.limit, page.offset)).map(toEvent);
  }

  /**
   * Sends a force-reset's token, or reports what became of the message enqueued with it (`queued`: undefined when
   * there is no outbox delivery); a failed webhook is reported, not thrown: the reset itself has committed.
   */
  async #deliver(email: string, token: string, queued: boolean | undefined): Promise<ForcedResetDelivery> {
    if (queued !== undefined) {
      // Never claim a message that is not in the outbox.
      if (!queued) return { via: 'none' };
      // The message committed with the token; this only nudges the dispatcher, whose retries own the delivery.
      await this.#deps.resetDelivery?.(email, token).catch(() => undefined);
      return { via: this.#deps.resetVia ?? 'email' };
    }
    if (this.#deps.resetDelivery !== undefined) {
      try {
        await this.#deps.resetDelivery(email, token);
        return { via: 'webhook' };
      } catch (error) {
        return { via: 'webhook-failed', error: error instanceof Error ? error.message : String(error) };
      }
    }
    return this.#deps.returnResetTokens ? { via: 'returned', token } : { via: 'none' };
  }

  /** The account by id or email. */
  async #lookup(emailOrId: string | number): Promise<User | undefined> {
    if (typeof emailOrId === 'number') return this.#deps.store.findById(emailOrId);
    if (/^\d+$/.test(emailOrId)) return this.#deps.store.findById(Number(emailOrId));
    return this.#deps.store.findByEmail(normaliseEmail(emailOrId));
  }

  /** The account by id, or `account.not_found`. */
  async #required(id: number): Promise<User> {
    const user = await this.#deps.store.findById(id);
    if (user === undefined) throw notFound(id);
    return user;
  }
}

/** The refusal for an id with no account. */
function notFound(id: number): AccountError {
  return new AccountError('account.not_found', `no account has id ${id}`);
}

/** An account row without its hash and credential version. */
export function toView(user: User): AccountView {
  return {
    id: user.id,
    email: user.email,
    state: isDisabled(user) ? 'disabled' : 'active',
    createdAt: Number(user.created_at),
    updatedAt: Number(user.updated_at),
    disabledAt: user.disabled_at === null ? null : Number(user.disabled_at),
    disabledReason: user.disabled_reason,
    emailVerifiedAt: user.email_verified_at === null ? null : Number(user.email_verified_at),
    language: user.language,
  };
}

/** A session row named by its handle, with times as numbers (PostgreSQL returns bigints as strings). */
function toSessionRecord(row: StoredAccountSession): SessionRecord {
  return {
    handle: sessionHandle(row.id_hash),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endReason: row.end_reason,
  };
}

/** An outbox row as the export lists it, with times as numbers (PostgreSQL returns bigints as strings). */
function toMailRecord(row: StoredAccountMail): MailRecord {
  return {
    kind: row.kind,
    channel: row.channel,
    status: row.status,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  };
}

/** An audit row as the account's owner and operators read it. */
function toEvent(row: StoredAuthEvent): AccountEvent {
  return {
    id: Number(row.id),
    type: row.type,
    actor: row.actor,
    createdAt: Number(row.created_at),
    requestId: row.request_id,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
