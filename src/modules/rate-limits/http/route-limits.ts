/**
 * Rate limits as route declarations: a route says `config: { rateLimit: { action, account } }` and this module's
 * `onRoute` hook (the pattern of @fastify/rate-limit) attaches the check before the handler (before any bcrypt work)
 * and, where asked, hands the account's points back after a success, so no handler can forget either.
 * @module
 */
import type { FastifyReply, FastifyRequest, onRouteHookHandler, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { RateLimitedError } from '../errors.js';
import type { RateLimitsEvent } from '../events.js';
import type { LimitedAction, RateLimits } from '../rate-limits.js';

/** How one route is limited. */
export interface RouteRateLimit {
  /** Which counters the route's attempts go to. */
  readonly action: LimitedAction;
  /** Where the account comes from: the body's `email`, or the checked session (routes that test a password behind a session). */
  readonly account: 'body' | 'session';
  /**
   * Hand the account's points back after a success (a 2xx, or a 303 with a proved account: the credential was right), so a user who mistyped starts
   * afresh. For a `body` route, the account handed back is the one the handler says its proof resolved to
   * ({@link provedAccount}), never merely the one the body names.
   */
  readonly handBackOnSuccess?: boolean;
}

declare module 'fastify' {
  /** Per-route declarations Sesame's hooks read. */
  interface FastifyContextConfig {
    /** The route's rate limit, attached by {@link rateLimitRouteHook}. */
    rateLimit?: RouteRateLimit;
  }
  /** What a handler tells Sesame's hooks. */
  interface FastifyRequest {
    /** The stored email of the account this request's proof resolved to (see {@link provedAccount}). */
    sesameProvedAccount?: string;
  }
}

/**
 * Tells the hand-back which account the request proved (a right password, a token or code it matched), by its
 * stored email. A proof may belong to another account than the body's `email` names (a verification link proves its
 * own account whatever the body says): only the proved account gets its points back, or one valid token of an
 * attacker's own would reset a victim's counters between rounds of guesses.
 */
export function provedAccount(request: FastifyRequest, email: string): void {
  request.sesameProvedAccount = email;
}

/** The account a limited request is about, by where the route says it comes from. */
function accountOf(request: FastifyRequest, from: RouteRateLimit['account']): string {
  if (from === 'session') return request.sesameSession?.user.email ?? '';
  return (request.body as { email?: unknown } | undefined)?.email?.toString() ?? '';
}

/**
 * Whether the answer says the credential was right: a 2xx, or a 303 after the handler named the account it proved.
 * The sign-in page answers a right password with a 303 (so a reload never posts it again); without the second case
 * every page sign-in would stay counted as a guess, and five in a quarter of an hour would lock a person out of their
 * own account. A 303 alone proves nothing (the account pages send a signed-out visit to sign-in with one).
 */
function succeeded(request: FastifyRequest, reply: FastifyReply): boolean {
  const status = reply.statusCode;
  return (status >= 200 && status < 300) || (status === 303 && request.sesameProvedAccount !== undefined);
}

/** The account a success hands points back to: the session's, or the one the handler said it proved (none if it said none). */
function handBackAccount(request: FastifyRequest, from: RouteRateLimit['account']): string {
  return from === 'session' ? accountOf(request, from) : (request.sesameProvedAccount ?? '');
}

/** A route's hooks as an array, whatever form the route gave them in. */
function asArray<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/**
 * The `onRoute` hook that reads `config.rateLimit`: refuses past a limit with {@link RateLimitedError} (429 with
 * `Retry-After` from the surface's table) and publishes the refusal (logs and metrics; never stored). No limits:
 * attaches nothing.
 */
export function rateLimitRouteHook(limits: RateLimits | undefined, publish: (event: RateLimitsEvent) => void): onRouteHookHandler {
  return (route: RouteOptions) => {
    const rule = route.config?.rateLimit;
    if (rule === undefined || limits === undefined) return;
    const check: preHandlerAsyncHookHandler = async function sesameRateLimit(request: FastifyRequest): Promise<void> {
      const verdict = await limits.hit(rule.action, request.ip, accountOf(request, rule.account));
      if (verdict.allowed) return;
      publish({ type: 'rate_limit.refused', context: requestContext(request), detail: { action: rule.action, retryAfterSec: verdict.retryAfterSec }, traffic: true });
      throw new RateLimitedError(verdict.retryAfterSec);
    };
    route.preHandler = [...asArray(route.preHandler), check];
    if (rule.handBackOnSuccess === true) {
      route.onSend = [
        ...asArray(route.onSend),
        async function sesameRateLimitHandBack(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
          if (succeeded(request, reply)) await limits.recordSuccess(rule.action, request.ip, handBackAccount(request, rule.account));
          return payload;
        },
      ];
    }
  };
}
