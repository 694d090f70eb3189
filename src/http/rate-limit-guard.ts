/**
 * Rate limits as route preHandlers: 429 with `Retry-After` and a JSON message before any bcrypt work is spent.
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { LimitedAction, LimitVerdict, RateLimits } from '../limits/rate-limits.js';

/**
 * How a route counts against the account: `requests` counts every request (registration, reset request);
 * `failures` only checks here, and the route records failures and successes itself (login, reset update).
 */
export type AccountCounting = 'requests' | 'failures';

/** Builds the preHandler for an action: IP limit first, then the account limit keyed by the body's email. */
export function rateLimitGuard(limits: RateLimits | undefined, action: LimitedAction, counting: AccountCounting): preHandlerAsyncHookHandler[] {
  if (limits === undefined) return [];
  return [
    async function sesameRateLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (await refuseIfLimited(reply, await limits.hitIp(action, request.ip))) return;
      const email = (request.body as { email: string }).email;
      const verdict =
        counting === 'requests' ? await limits.hitAccount(action, email) : await limits.checkAccount(action, email);
      await refuseIfLimited(reply, verdict);
    },
  ];
}

/** Sends the 429 for a refused verdict and returns true; returns false (sending nothing) for an allowed one. */
async function refuseIfLimited(reply: FastifyReply, verdict: LimitVerdict): Promise<boolean> {
  if (verdict.allowed) return false;
  await reply
    .code(429)
    .header('retry-after', String(verdict.retryAfterSec))
    .send({ message: `too many attempts: try again in ${verdict.retryAfterSec} seconds` });
  return true;
}
