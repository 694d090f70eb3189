/**
 * Rate limits as route preHandlers: 429 with `Retry-After` and a JSON message before any bcrypt work is spent.
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { LimitedAction, LimitVerdict, RateLimits } from '../rate-limits.js';

/** Builds the preHandler for an action: counts the attempt against the client IP and the body's email, or answers 429. */
export function rateLimitGuard(limits: RateLimits | undefined, action: LimitedAction): preHandlerAsyncHookHandler[] {
  if (limits === undefined) return [];
  return [
    async function sesameRateLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      await refuseIfLimited(request, reply, action, await limits.hit(action, request.ip, emailOf(request)));
    },
  ];
}

/**
 * For routes that test a password once a session names the account (`PUT /password`, `POST /sessions/end`): counts
 * the attempt like a login and answers 429 past the limits; returns whether it did. No limits: never refuses.
 */
export async function refuseIfAccountLimited(
  limits: RateLimits | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  action: LimitedAction,
  email: string,
): Promise<boolean> {
  if (limits === undefined) return false;
  return refuseIfLimited(request, reply, action, await limits.hit(action, request.ip, email));
}

/** Answers 429 with `Retry-After` and logs the refusal when the verdict refuses; returns whether it did. */
export async function refuseIfLimited(
  request: FastifyRequest,
  reply: FastifyReply,
  action: LimitedAction,
  verdict: LimitVerdict,
): Promise<boolean> {
  if (verdict.allowed) return false;
  request.log.warn({ event: 'rate_limited', action, retryAfterSec: verdict.retryAfterSec }, 'attempt refused by rate limit');
  await reply
    .code(429)
    .header('retry-after', String(verdict.retryAfterSec))
    .send({ message: `too many attempts: try again in ${verdict.retryAfterSec} seconds` });
  return true;
}

/** The account a limited request is about: the body's email (the password-change route counts its user itself). */
function emailOf(request: FastifyRequest): string {
  return (request.body as { email?: string } | undefined)?.email ?? '';
}
