/**
 * The auth rules (the seed's `Auth` class): registration, login, sessions and password reset, over the DB layer.
 * @module
 */
import { NO_IDLE_CUTOFF, type DB } from '../db/db.js';
import { InvalidResetTokenError, NoResultFoundError } from '../errors.js';
import type { SessionSummary } from '../user/session.js';
import type { PublicUser, User } from '../user/user.js';
import { normaliseEmail } from './email.js';
import { BcryptHasher, type PasswordHasher } from './password-hasher.js';
import { LENIENT_POLICY, PasswordPolicy, type PasswordPolicyOptions } from './password-policy.js';
import { generateToken, generateUuid, hashToken, type TokenFormat } from './tokens.js';

/** Settings for {@link Auth}; the durations are in milliseconds. */
export interface AuthOptions {
  /** How long a session lives after login (default 7 days). */
  readonly sessionTtlMs?: number;
  /** How long a reset token stays usable (default 30 minutes). */
  readonly resetTokenTtlMs?: number;
  /** Bcrypt cost for new hashes, used when no `hasher` is given (default 12). */
  readonly bcryptCost?: number;
  /** Password hasher; defaults to bcrypt at `bcryptCost`. */
  readonly hasher?: PasswordHasher;
  /** Source of the current time in epoch ms; tests hand in their own to cross an expiry without sleeping. */
  readonly now?: () => number;
  /** `uuid` (default: the seed's 36-character shape) or `random` (256 bits, for production). */
  readonly tokenFormat?: TokenFormat;
  /** Rules for new passwords (default: any non-empty password, as the seed). */
  readonly passwordPolicy?: PasswordPolicyOptions;
  /** A session unused this long ends (ASVS V7.3.1); 0 or absent: only the absolute lifetime applies. */
  readonly sessionIdleTimeoutMs?: number;
}

/** Seven days, the default session lifetime. */
export const DEFAULT_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Thirty minutes, the default reset-token lifetime. */
export const DEFAULT_RESET_TOKEN_TTL_MS = 30 * 60 * 1000;

/** Hashes a password with the configured hasher; module-private like the seed's `_hash_password`. */
function hashPassword(hasher: PasswordHasher, password: string): Promise<string> {
  return hasher.hash(password);
}

/**
 * How stale a session's recorded last use may get before a request records a new one: a tenth of the timeout, at
 * most a minute, so a session can end at worst that much before its full idle time.
 */
function touchInterval(idleTimeoutMs: number): number {
  return Math.min(60_000, Math.floor(idleTimeoutMs / 10));
}

/** The public handle of a session: a prefix of its stored SHA-256, which names it without ever granting it. */
function sessionHandle(idHash: string): string {
  return idHash.slice(0, 16);
}

/** Strips a user row down to what callers outside the auth layer may see. */
export function toPublicUser(user: User): PublicUser {
  return { id: user.id, email: user.email };
}

/** The seed's `Auth`: every rule about who may do what, with its dependencies handed in (`new Auth(db, options)`). */
export class Auth {
  readonly #db: DB;
  readonly #hasher: PasswordHasher;
  readonly #now: () => number;
  /** Lifetime of a new session, in ms; the HTTP layer reads it to set the cookie's Max-Age. */
  readonly sessionTtlMs: number;
  readonly #resetTokenTtlMs: number;
  readonly #idleTimeoutMs: number;
  readonly #policy: PasswordPolicy;
  readonly #tokenFormat: TokenFormat;
  /** A hash of a random password at the current cost, for the unknown-email path of {@link validLogin}. */
  readonly #dummyHash: Promise<string>;

  /** Takes the DB layer and the settings; nothing is read from globals, so tests build as many as they like. */
  constructor(db: DB, options: AuthOptions = {}) {
    this.#db = db;
    this.#hasher = options.hasher ?? new BcryptHasher(options.bcryptCost ?? 12);
    this.#now = options.now ?? Date.now;
    this.sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#resetTokenTtlMs = options.resetTokenTtlMs ?? DEFAULT_RESET_TOKEN_TTL_MS;
    this.#idleTimeoutMs = options.sessionIdleTimeoutMs ?? 0;
    this.#policy = new PasswordPolicy(options.passwordPolicy ?? LENIENT_POLICY);
    this.#tokenFormat = options.tokenFormat ?? 'uuid';
    // Made now, not at the first unknown-email login, so even that first one costs what a known email costs.
    this.#dummyHash = hashPassword(this.#hasher, generateUuid());
    this.#dummyHash.catch(() => undefined);
  }

  /**
   * Creates an account; a taken email raises `UserAlreadyExistsError` (`User <email> already exists`), a password the
   * policy refuses raises `WeakPasswordError`.
   */
  async registerUser(email: string, password: string): Promise<User> {
    await this.#policy.check(password, email);
    const hashed = await hashPassword(this.#hasher, password);
    return this.#db.addUser(normaliseEmail(email), hashed, this.#now());
  }

  /**
   * True only when the email has an account and the password matches it. An unknown email is checked against a
   * dummy hash of the same cost, so both failures do the same bcrypt work and timing does not reveal which accounts
   * exist. A match whose hash is weaker than the current cost is re-hashed on the spot.
   */
  async validLogin(email: string, password: string): Promise<boolean> {
    const user = await this.#findByEmail(email);
    if (user === undefined) {
      await this.#hasher.verify(password, await this.#dummyHash);
      return false;
    }
    if (!(await this.#hasher.verify(password, user.hashed_password))) return false;
    if (this.#hasher.needsRehash(user.hashed_password)) {
      await this.#db.updateUser(user.id, { hashed_password: await hashPassword(this.#hasher, password) });
    }
    return true;
  }

  /** Starts a new session for the user and returns its id; the user's other sessions stay valid. */
  async createSession(email: string): Promise<string> {
    const user = await this.#db.findUserBy({ email: normaliseEmail(email) });
    const sessionId = generateToken(this.#tokenFormat);
    const now = this.#now();
    await this.#db.addSession(hashToken(sessionId), user.id, now, now + this.sessionTtlMs);
    return sessionId;
  }

  /** The user a live session belongs to, or null for a missing, unknown or expired id; one indexed query. */
  async getUserFromSessionId(sessionId: string | null | undefined): Promise<User | null> {
    return (await this.#sessionOwner(sessionId))?.user ?? null;
  }

  /** Ends the one session presented (log out on this device); false when there was no live session to end. */
  async destroySession(sessionId: string | null | undefined): Promise<boolean> {
    if (!sessionId) return false;
    return this.#db.deleteSession(hashToken(sessionId), this.#now());
  }

  /** Ends every session of a user (after a password reset, or "log out everywhere"); returns how many ended. */
  async destroyAllSessions(userId: number): Promise<number> {
    return this.#db.deleteUserSessions(userId);
  }

  /**
   * The live sessions of the user whose session is presented, newest first, the presented one marked `current`;
   * null without a live session. Lets a user see every device signed in (ASVS V7.5.2).
   */
  async listSessions(sessionId: string | null | undefined): Promise<SessionSummary[] | null> {
    const owner = await this.#sessionOwner(sessionId);
    if (owner === null) return null;
    const rows = await this.#liveSessionsOf(owner.user.id);
    return rows.map((row) => ({
      handle: sessionHandle(row.id_hash),
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      current: row.id_hash === owner.idHash,
    }));
  }

  /**
   * Ends sessions of the user whose session is presented, after checking their password again (ASVS V7.5.2 asks for
   * re-authentication): `target` is a handle from {@link listSessions}, `others` (every session but the presented
   * one) or `all`. Returns null for no live session, `wrong-password`, or what ended; an unknown handle ends nothing.
   */
  async endSessions(
    sessionId: string | null | undefined,
    password: string,
    target: string,
  ): Promise<null | 'wrong-password' | { readonly ended: number; readonly currentEnded: boolean; readonly user: User }> {
    const owner = await this.#sessionOwner(sessionId);
    if (owner === null) return null;
    if (!(await this.#hasher.verify(password, owner.user.hashed_password))) return 'wrong-password';
    const rows = await this.#liveSessionsOf(owner.user.id);
    const chosen = rows.filter((row) =>
      target === 'all' ? true : target === 'others' ? row.id_hash !== owner.idHash : sessionHandle(row.id_hash) === target,
    );
    let ended = 0;
    for (const row of chosen) if (await this.#db.deleteSession(row.id_hash, this.#now())) ended += 1;
    return { ended, currentEnded: chosen.some((row) => row.id_hash === owner.idHash), user: owner.user };
  }

  /**
   * The user of a live session and the hash it is stored under, or null. With an inactivity timeout, the use is
   * recorded, at most once per {@link touchInterval}, so a session in use every second costs one write a minute.
   */
  async #sessionOwner(sessionId: string | null | undefined): Promise<{ user: User; idHash: string } | null> {
    if (!sessionId) return null;
    const idHash = hashToken(sessionId);
    const now = this.#now();
    const row = await this.#db.findUserBySessionHash(idHash, now, this.#idleCutoff(now));
    if (row === undefined) return null;
    const { session_last_used: lastUsed, ...user } = row;
    if (this.#idleTimeoutMs > 0 && now - Number(lastUsed) >= touchInterval(this.#idleTimeoutMs)) await this.#db.touchSession(idHash, now);
    return { user, idHash };
  }

  /** A user's sessions that neither expired nor timed out for inactivity, newest first. */
  async #liveSessionsOf(userId: number): ReturnType<DB['listUserSessions']> {
    const now = this.#now();
    return this.#db.listUserSessions(userId, now, this.#idleCutoff(now));
  }

  /** Sessions last used at or before this instant have timed out for inactivity (none when there is no timeout). */
  #idleCutoff(now: number): number {
    return this.#idleTimeoutMs > 0 ? now - this.#idleTimeoutMs : NO_IDLE_CUTOFF;
  }

  /** Issues a new reset token for a registered email (replacing any earlier one); an unknown email raises `NoResultFoundError`. */
  async getResetPasswordToken(email: string): Promise<string> {
    const user = await this.#db.findUserBy({ email: normaliseEmail(email) });
    const token = generateToken(this.#tokenFormat);
    await this.#db.updateUser(user.id, {
      reset_token: hashToken(token),
      reset_token_expires_at: this.#now() + this.#resetTokenTtlMs,
    });
    return token;
  }

  /**
   * Sets a new password through a reset token, spends the token and ends every session of the user. When `email` is
   * given, a token issued to another account is refused too. An unknown, expired, spent or mismatched token raises
   * `InvalidResetTokenError`; of two requests racing for one token, exactly one succeeds.
   */
  async updatePassword(resetToken: string, password: string, email?: string): Promise<User> {
    const tokenHash = hashToken(resetToken);
    const user = await this.#db.findUserByResetToken(tokenHash, this.#now());
    if (user === undefined) throw new InvalidResetTokenError('reset token is invalid or expired');
    if (email !== undefined && user.email !== normaliseEmail(email)) {
      throw new InvalidResetTokenError('reset token was not issued for this email');
    }
    await this.#policy.check(password, user.email);
    const hashed = await hashPassword(this.#hasher, password);
    if (!(await this.#db.spendResetToken(user.id, tokenHash, hashed, this.#now()))) {
      throw new InvalidResetTokenError('reset token is invalid or expired');
    }
    return user;
  }

  /**
   * Changes the password of the user a live session belongs to, after checking the current password. Every session
   * of the user ends, the presented one included (OWASP ASVS 7.2.4: re-authentication rotates the session), along
   * with any outstanding reset token, and a fresh session id is returned for the caller's cookie. Returns null for a
   * wrong current password or a dead session; a new password the policy refuses raises `WeakPasswordError`.
   */
  async changePassword(sessionId: string, currentPassword: string, newPassword: string): Promise<string | null> {
    const user = await this.getUserFromSessionId(sessionId);
    if (user === null || !(await this.#hasher.verify(currentPassword, user.hashed_password))) return null;
    await this.#policy.check(newPassword, user.email);
    await this.#db.replacePassword(user.id, await hashPassword(this.#hasher, newPassword), this.#now());
    return this.createSession(user.email);
  }

  /**
   * Releases what this Auth started itself (the password-strength worker threads); the DB is the caller's to close,
   * since the caller opened it.
   */
  async close(): Promise<void> {
    await this.#policy.close();
  }

  /** Resolves when the storage below answers; the health route calls it so a load balancer can drop a broken instance. */
  async checkStorage(): Promise<void> {
    await this.#db.ping();
  }

  /** Deletes expired sessions and clears expired reset tokens; the sweeper calls it on a timer. */
  async purgeExpired(): Promise<{ sessions: number; resetTokens: number }> {
    const now = this.#now();
    return this.#db.purgeExpired(now, this.#idleCutoff(now));
  }

  /** Looks a user up by normalised email, turning "no result" into undefined. */
  async #findByEmail(email: string): Promise<User | undefined> {
    try {
      return await this.#db.findUserBy({ email: normaliseEmail(email) });
    } catch (error) {
      if (error instanceof NoResultFoundError) return undefined;
      throw error;
    }
  }
}
