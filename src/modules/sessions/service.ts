/**
 * The session rules: starting a session, checking one (once per request, handing back a value the caller keeps),
 * listing a user's sessions and ending them, with lifetimes and the inactivity timeout applied in one place.
 * @module
 */
import type { Clock } from '../../kernel/clock.js';
import type { Executor } from '../../kernel/database/tables.js';
import { NO_REQUEST, type Changes, type EventContext } from '../../kernel/events.js';
import { generateToken, hashToken, type TokenFormat } from '../../kernel/tokens.js';
import type { User } from '../users/index.js';
import type { SessionsConfig } from './config.js';
import type { SessionsEvent } from './events.js';
import type { SessionDevice, SessionEndReason, SessionSummary } from './schema.js';
import { NO_IDLE_CUTOFF, type SessionStore, type StoredSession } from './store.js';

/**
 * A session checked by {@link SessionService.validate}: what a request carries once its cookie has been verified, so
 * later steps never look the session up again (Lucia's shape).
 */
export interface ValidSession {
  /** The stored hash of the session id: names the session without being it. */
  readonly idHash: string;
  /** The account it belongs to, as stored (the hash included, for routes that check the password again). */
  readonly user: User;
}

/** Checks a password again for an account that is already signed in (ASVS V7.5.2 asks it before ending sessions). */
export type Reauthenticate = (user: User, password: string) => Promise<boolean>;

/** What {@link SessionService} is built from. */
export interface SessionServiceDeps {
  readonly store: SessionStore;
  /** Transactions that carry the module's events. */
  readonly changes: Changes<SessionsEvent>;
  readonly clock: Clock;
  readonly tokenFormat: TokenFormat;
  readonly config: SessionsConfig;
  readonly reauthenticate: Reauthenticate;
}

/** Which sessions {@link SessionService.revoke} ends: one by its handle, every other one, or all. */
export type RevokeTarget = string;

/** What {@link SessionService.revoke} did. */
export type RevokeOutcome =
  | { readonly outcome: 'wrong-password' }
  | { readonly outcome: 'ended'; readonly ended: number; readonly currentEnded: boolean };

/** What {@link SessionService.logout} found. */
export type LogoutOutcome =
  /** The presented session was live and is now ended. */
  | { readonly outcome: 'ended' }
  /**
   * A password reset or change had already ended it. The seed keeps one session per user and a reset does not touch
   * it, so a seed client logging out after a reset expects the redirect: the session is gone either way.
   */
  | { readonly outcome: 'ended-by-credential-change'; readonly reason: 'password_reset' | 'password_change' }
  /** Never issued, already logged out, revoked or expired. */
  | { readonly outcome: 'unknown' };

/**
 * How stale a session's recorded last use may get before a request records a new one: a tenth of the timeout, at
 * most a minute, so a session can end at worst that much before its full idle time.
 */
function touchInterval(idleTimeoutMs: number): number {
  return Math.min(SEEN_INTERVAL_MS, Math.floor(idleTimeoutMs / 10));
}

/**
 * How stale a session's recorded use and device may get without an inactivity timeout: the session list shows when
 * and where each device was last seen, and a minute is precise enough for that while keeping nearly every request
 * to the one read.
 */
const SEEN_INTERVAL_MS = 60_000;

/** The public handle of a session: a prefix of its stored SHA-256, which names it without ever granting it. */
export function sessionHandle(idHash: string): string {
  return idHash.slice(0, 16);
}

/** Sessions: many per user, each revocable on its own. */
export class SessionService {
  readonly #store: SessionStore;
  readonly #changes: Changes<SessionsEvent>;
  readonly #clock: Clock;
  readonly #tokenFormat: TokenFormat;
  readonly #config: SessionsConfig;
  readonly #reauthenticate: Reauthenticate;

  /** Takes its store, clock, token format, settings and the password re-check it needs before ending sessions. */
  constructor(deps: SessionServiceDeps) {
    this.#store = deps.store;
    this.#changes = deps.changes;
    this.#clock = deps.clock;
    this.#tokenFormat = deps.tokenFormat;
    this.#config = deps.config;
    this.#reauthenticate = deps.reauthenticate;
  }

  /** Lifetime of a new session in ms; the cookie's Max-Age mirrors it. */
  get ttlMs(): number {
    return this.#config.ttlMs;
  }

  /** Starts a new session for a user and returns its id (only its hash is stored); `tx` writes it inside a transaction. */
  async create(userId: number, tx?: Executor, device?: SessionDevice): Promise<string> {
    const sessionId = generateToken(this.#tokenFormat);
    const now = this.#clock();
    await this.#storeIn(tx).insert(hashToken(sessionId), userId, now, now + this.#config.ttlMs, device);
    return sessionId;
  }

  /**
   * Starts a session for an account whose password was just checked, but only if that password is still the
   * account's: a change or reset that committed since the check (which ends every session) wins, and null is
   * returned. Without this, a login in flight could insert its session after "end every session" had run. `device`
   * (a request's event context will do) is recorded so the session list can name the device.
   */
  async createAfterCheck(user: Pick<User, 'id' | 'credential_version'>, tx?: Executor, device?: SessionDevice): Promise<string | null> {
    const sessionId = generateToken(this.#tokenFormat);
    const now = this.#clock();
    const stored = await this.#storeIn(tx).insertIfCredentialCurrent(hashToken(sessionId), user.id, user.credential_version, now, now + this.#config.ttlMs, device);
    return stored ? sessionId : null;
  }

  /**
   * The per-request check: the live session a presented id names, with its user, or null for a missing, unknown,
   * expired or idle one; one indexed query. The use (and `device`, where the request came from, or a function giving
   * it) is recorded at most once per {@link touchInterval} under an inactivity timeout, else once a minute, so a
   * session in use every second costs one write a minute.
   */
  async validate(sessionId: string | null | undefined, device?: SessionDevice | (() => SessionDevice)): Promise<ValidSession | null> {
    if (!sessionId) return null;
    const idHash = hashToken(sessionId);
    const now = this.#clock();
    const row = await this.#store.findLive(idHash, now, this.#idleCutoff(now));
    if (row === undefined) return null;
    const { session_last_used: lastUsed, ...user } = row;
    const idle = this.#config.idleTimeoutMs;
    const interval = idle > 0 ? touchInterval(idle) : SEEN_INTERVAL_MS;
    // A function is asked only when a use is written: most checks never need the device (reading the client's address
    // runs the proxy-trust rules each time).
    if (now - Number(lastUsed) >= interval) await this.#store.touch(idHash, now, typeof device === 'function' ? device() : device);
    return { idHash, user };
  }

  /** Ends the one session presented, for `reason`; false when there was no live session to end. */
  async end(sessionId: string | null | undefined, reason: SessionEndReason, tx?: Executor): Promise<boolean> {
    if (!sessionId) return false;
    return (await this.#storeIn(tx).end(hashToken(sessionId), reason, this.#clock())) !== undefined;
  }

  /** Logs out on this device: ends the presented session (recording `session.logged_out`), or says why there was none. */
  async logout(sessionId: string | null | undefined, context: EventContext = NO_REQUEST): Promise<LogoutOutcome> {
    if (!sessionId) return { outcome: 'unknown' };
    const idHash = hashToken(sessionId);
    const ended = await this.#changes.transact(async (tx, record) => {
      const userId = await this.#store.in(tx).end(idHash, 'logout', this.#clock());
      if (userId !== undefined) await record({ type: 'session.logged_out', context, account: { userId } });
      return userId !== undefined;
    });
    if (ended) return { outcome: 'ended' };
    const reason = await this.#store.endReasonOf(idHash);
    return reason === 'password_reset' || reason === 'password_change' ? { outcome: 'ended-by-credential-change', reason } : { outcome: 'unknown' };
  }

  /** Ends every live session of a user for `reason` (password reset or change, revocation); returns how many ended. */
  async endAllOfUser(userId: number, reason: SessionEndReason, tx?: Executor): Promise<number> {
    return this.#storeIn(tx).endAllOfUser(userId, reason, this.#clock());
  }

  /** The user's live sessions, newest first, the checked one marked `current` (ASVS V7.5.2: see every device). */
  async list(session: ValidSession): Promise<SessionSummary[]> {
    const rows = await this.#liveSessionsOf(session.user.id);
    return rows.map((row) => ({
      handle: sessionHandle(row.id_hash),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      current: row.id_hash === session.idHash,
      userAgent: row.user_agent,
      ip: row.ip,
      lastSeenAt: Number(row.last_seen_at),
    }));
  }

  /**
   * Ends sessions of the checked session's user after checking their password again: `target` is a handle from
   * {@link list}, `others` (every session but this one) or `all`. Only the user's own sessions are ever looked
   * among, so another user's handle ends nothing.
   */
  async revoke(session: ValidSession, password: string, target: RevokeTarget, context: EventContext = NO_REQUEST): Promise<RevokeOutcome> {
    const account = { userId: session.user.id };
    if (!(await this.#reauthenticate(session.user, password))) {
      await this.#changes.transact((_tx, record) => record({ type: 'sessions.revoke_failed', context, account }));
      return { outcome: 'wrong-password' };
    }
    const rows = await this.#liveSessionsOf(session.user.id);
    const chosen = rows.filter((row) =>
      target === 'all' ? true : target === 'others' ? row.id_hash !== session.idHash : sessionHandle(row.id_hash) === target,
    );
    const ended = await this.#changes.transact(async (tx, record) => {
      const store = this.#store.in(tx);
      let count = 0;
      for (const row of chosen) if ((await store.end(row.id_hash, 'revoked', this.#clock())) !== undefined) count += 1;
      if (count > 0) await record({ type: 'sessions.revoked', context, account, detail: { ended: count } });
      return count;
    });
    return { outcome: 'ended', ended, currentEnded: chosen.some((row) => row.id_hash === session.idHash) };
  }

  /**
   * Deletes sessions past their original expiry and ends idle ones (reason `expired`); the sweeper calls it. An
   * inactivity timeout that is off ends nothing.
   */
  async purgeExpired(): Promise<{ readonly deleted: number; readonly endedIdle: number }> {
    const now = this.#clock();
    return this.#store.purgeExpired(now, this.#idleCutoff(now));
  }

  /** A user's sessions that neither expired nor timed out for inactivity, newest first. */
  async #liveSessionsOf(userId: number): Promise<StoredSession[]> {
    const now = this.#clock();
    return this.#store.listLive(userId, now, this.#idleCutoff(now));
  }

  /** Sessions last used at or before this instant have timed out for inactivity (none when there is no timeout). */
  #idleCutoff(now: number): number {
    return this.#config.idleTimeoutMs > 0 ? now - this.#config.idleTimeoutMs : NO_IDLE_CUTOFF;
  }

  /** The store, or the same store inside a transaction. */
  #storeIn(tx: Executor | undefined): SessionStore {
    return tx === undefined ? this.#store : this.#store.in(tx);
  }
}
