/**
 * Brute-force and abuse limits for the credential routes: per client IP, per account from one client, and per account from everywhere, with exponential back-off that always expires.
 * @module
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { accountKey, clientKey } from './keys.js';
import { makeLimiter, type LimiterStore } from './limiter-factory.js';

/** The limited actions; each has its own counters so a burst of one does not starve another. */
export type LimitedAction =
  | 'login'
  | 'register'
  | 'reset-request'
  | 'reset-update'
  | 'password-change'
  | 'session-end'
  | 'account-delete'
  | 'email-change'
  | 'email-verify'
  | 'email-resend';

/**
 * Actions that each test the account's password: one stolen cookie must not buy four guessing budgets (login,
 * `PUT /password`, `POST /sessions/end`, `DELETE /profile`, `PUT /email`), so their per-account counters are one budget. Their per-IP counters stay
 * per route.
 */
const PASSWORD_CHECKS: ReadonlySet<LimitedAction> = new Set<LimitedAction>(['login', 'password-change', 'session-end', 'account-delete', 'email-change']);

/** The name an action's per-account counters are kept under: `password` for every password check, else the action. */
export function accountBudget(action: LimitedAction): string {
  return PASSWORD_CHECKS.has(action) ? 'password' : action;
}

/** Counts and windows, in milliseconds. */
export interface RateLimitPolicy {
  /** Requests per client IP per action per `ipWindowMs`. */
  readonly ipMax: number;
  readonly ipWindowMs: number;
  /** Attempts on one account from one client per `accountWindowMs`: stops one attacker guessing one password. */
  readonly accountMax: number;
  readonly accountWindowMs: number;
  /**
   * Attempts on one account from all clients together per `accountWindowMs` (NIST SP 800-63B: at most 100): stops a
   * distributed guess, and is high enough that one attacker cannot lock the owner out.
   */
  readonly accountGlobalMax: number;
  /** The longest a key is ever blocked, however often it trips the limit. */
  readonly blockMaxMs: number;
}

/** The outcome of a check: allowed, or refused with how long to wait. */
export type LimitVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSec: number };

const ALLOWED: LimitVerdict = { allowed: true };

/** How long lock-outs are remembered for the back-off: a day. */
const LOCKOUT_MEMORY_SEC = 24 * 3600;

/** One counter and its limit. */
interface Counter {
  readonly limiter: RateLimiterAbstract;
  readonly max: number;
}

/**
 * Rate limits over any store; the HTTP layer calls it knowing nothing of the counting. Every attempt is counted
 * *before* the bcrypt work (so a burst of parallel guesses cannot all slip in under the limit) and a success hands
 * the account's points back, so a user who mistyped starts afresh.
 */
export class RateLimits {
  readonly #ip: Counter;
  readonly #accountFromClient: Counter;
  readonly #account: Counter;
  readonly #lockouts: RateLimiterAbstract;
  readonly #policy: RateLimitPolicy;

  /** Builds the counters on a store (memory, Redis or the database) with the given policy. */
  constructor(store: LimiterStore, policy: RateLimitPolicy) {
    this.#policy = policy;
    const window = seconds(policy.accountWindowMs);
    this.#ip = { limiter: makeLimiter(store, { keyPrefix: 'ip', points: policy.ipMax, duration: seconds(policy.ipWindowMs) }), max: policy.ipMax };
    this.#accountFromClient = { limiter: makeLimiter(store, { keyPrefix: 'acip', points: policy.accountMax, duration: window }), max: policy.accountMax };
    this.#account = { limiter: makeLimiter(store, { keyPrefix: 'acct', points: policy.accountGlobalMax, duration: window }), max: policy.accountGlobalMax };
    this.#lockouts = makeLimiter(store, { keyPrefix: 'lock', points: 1_000_000, duration: LOCKOUT_MEMORY_SEC });
  }

  /** Counts one attempt from a client on an account for an action; refuses (and backs off) past any of the three limits. */
  async hit(action: LimitedAction, ip: string, email: string): Promise<LimitVerdict> {
    const client = clientKey(ip);
    const account = accountKey(email);
    const budget = accountBudget(action);
    const byIp = await this.#consume(this.#ip, `${action}:${client}`);
    // An attempt that names no account (a verification link's token alone) counts per client only: the token is the
    // unguessable part, and counting every such attempt under one empty account would let one client lock out every
    // link at once.
    if (!byIp.allowed || email.trim() === '') return byIp;
    const byAccountFromClient = await this.#consume(this.#accountFromClient, `${budget}:${account}:${client}`);
    if (!byAccountFromClient.allowed) return byAccountFromClient;
    return this.#consume(this.#account, `${budget}:${account}`);
  }

  /** Hands an account's points back after a success (correct password, valid token), from this client and overall. */
  async recordSuccess(action: LimitedAction, ip: string, email: string): Promise<void> {
    if (email.trim() === '') return;
    const account = accountKey(email);
    const budget = accountBudget(action);
    await Promise.all([
      this.#accountFromClient.limiter.delete(`${budget}:${account}:${clientKey(ip)}`),
      this.#account.limiter.delete(`${budget}:${account}`),
    ]);
  }

  /**
   * Consumes a point. The first refusal of a window blocks the key for the window, doubled for each lock-out of that
   * key in the last day and capped at `blockMaxMs`: guessing slows down fast, yet nobody is locked out for good.
   */
  async #consume(counter: Counter, key: string): Promise<LimitVerdict> {
    try {
      await counter.limiter.consume(key, 1);
      return ALLOWED;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      if (rejection.consumedPoints !== counter.max + 1) return refused(rejection.msBeforeNext);
      const lockouts = (await this.#lockouts.penalty(`${counter.limiter.keyPrefix}:${key}`, 1)).consumedPoints;
      const blockMs = Math.min(counter.limiter.msDuration * 2 ** Math.max(0, lockouts - 1), this.#policy.blockMaxMs);
      await counter.limiter.block(key, seconds(Math.max(blockMs, rejection.msBeforeNext)));
      return refused(Math.max(blockMs, rejection.msBeforeNext));
    }
  }
}

/** Whole seconds, at least one, as rate-limiter-flexible counts them. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A refusal that tells the client when to come back. */
function refused(msBeforeNext: number): LimitVerdict {
  return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}
