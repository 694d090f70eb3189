/**
 * Brute-force and abuse limits: per client IP on every limited route, per account on failures (login, reset) or requests (register, reset request), with exponential back-off that always expires.
 * @module
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { makeLimiter, type LimiterStore } from './limiter-factory.js';

/** The limited actions; each has its own counters so a burst of one does not starve another. */
export type LimitedAction = 'login' | 'register' | 'reset-request' | 'reset-update';

/** Counts and windows, in milliseconds. */
export interface RateLimitPolicy {
  /** Requests per IP per action per `ipWindowMs`. */
  readonly ipMax: number;
  readonly ipWindowMs: number;
  /** Failures (or requests) per account per action per `accountWindowMs`. */
  readonly accountMax: number;
  readonly accountWindowMs: number;
  /** The longest an account is ever blocked, however often it trips the limit. */
  readonly blockMaxMs: number;
}

/** The outcome of a check: allowed, or refused with how long to wait. */
export type LimitVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSec: number };

const ALLOWED: LimitVerdict = { allowed: true };

/** Number of lock-outs remembered for back-off, per day. */
const LOCKOUT_MEMORY_SEC = 24 * 3600;

/** Rate limits for the four credential routes, over any store; the HTTP layer calls it, knowing nothing of the counting. */
export class RateLimits {
  readonly #ip: RateLimiterAbstract;
  readonly #account: RateLimiterAbstract;
  readonly #lockouts: RateLimiterAbstract;
  readonly #policy: RateLimitPolicy;

  /** Builds the counters on a store (memory, Redis or the database) with the given policy. */
  constructor(store: LimiterStore, policy: RateLimitPolicy) {
    this.#policy = policy;
    this.#ip = makeLimiter(store, { keyPrefix: 'ip', points: policy.ipMax, duration: seconds(policy.ipWindowMs) });
    this.#account = makeLimiter(store, {
      keyPrefix: 'acct',
      points: policy.accountMax,
      duration: seconds(policy.accountWindowMs),
    });
    this.#lockouts = makeLimiter(store, { keyPrefix: 'lockouts', points: 1_000_000, duration: LOCKOUT_MEMORY_SEC });
  }

  /** Counts one request from an IP for an action; refuses past the IP limit. */
  async hitIp(action: LimitedAction, ip: string): Promise<LimitVerdict> {
    return consume(this.#ip, `${action}:${ip}`);
  }

  /** Counts one request for an account (register, reset request); refuses past the account limit. */
  async hitAccount(action: LimitedAction, email: string): Promise<LimitVerdict> {
    return consume(this.#account, `${action}:${accountKey(email)}`);
  }

  /** Tells whether an account may try again (login, reset update), without counting the attempt. */
  async checkAccount(action: LimitedAction, email: string): Promise<LimitVerdict> {
    const state = await this.#account.get(`${action}:${accountKey(email)}`);
    if (state === null || state.consumedPoints < this.#policy.accountMax) return ALLOWED;
    return refused(state.msBeforeNext);
  }

  /**
   * Counts a failed attempt for an account. On reaching the limit the account is blocked for the window, doubled
   * for each lock-out in the last day and capped at `blockMaxMs`: guessing slows down fast, yet a real user is
   * never locked out for good.
   */
  async recordFailure(action: LimitedAction, email: string): Promise<void> {
    const key = `${action}:${accountKey(email)}`;
    const verdict = await consume(this.#account, key);
    const state = await this.#account.get(key);
    if (verdict.allowed && (state === null || state.consumedPoints < this.#policy.accountMax)) return;
    const lockouts = (await this.#lockouts.penalty(key, 1)).consumedPoints;
    const blockMs = Math.min(this.#policy.accountWindowMs * 2 ** Math.max(0, lockouts - 1), this.#policy.blockMaxMs);
    await this.#account.block(key, seconds(blockMs));
  }

  /** Clears an account's failure count after a success, so a real user who mistyped starts afresh. */
  async recordSuccess(action: LimitedAction, email: string): Promise<void> {
    await this.#account.delete(`${action}:${accountKey(email)}`);
  }
}

/** The account part of a key: the email as Auth stores it, so `A@x.io` and `a@x.io` share one counter. */
function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Whole seconds, at least one, as rate-limiter-flexible counts them. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A refusal that tells the client when to come back. */
function refused(msBeforeNext: number): LimitVerdict {
  return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}

/** Consumes one point; a `RateLimiterRes` rejection means the limit is reached, any other rejection is a store failure. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<LimitVerdict> {
  try {
    await limiter.consume(key, 1);
    return ALLOWED;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return refused(rejection.msBeforeNext);
    throw rejection;
  }
}
