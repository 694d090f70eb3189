/**
 * The session check as a `preHandler`: Sesame's own routes that declare `config: { session: 'required' }` run it, and
 * a host application puts it in front of its own routes. It validates the cookie once, leaves the checked session on
 * the request, and answers a request without a live session from the API's error table.
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { readSessionId, SESSION_COOKIE, SessionError, type SessionService } from '../../modules/sessions/index.js';
import { toPublicUser, type PublicUser } from '../../modules/users/index.js';
import { sendError } from './errors.js';

/** Whatever can check a session: a whole Sesame instance (its cookie name comes with it), or the session service alone. */
export type SessionChecker =
  | SessionService
  | { readonly sessions: SessionService; readonly config: { readonly sessions: { readonly cookie: { readonly name: string } } } };

/** The request's User-Agent as a device field, or nothing when it sent none. */
function userAgentOf(request: FastifyRequest): { readonly userAgent?: string } {
  const agent = request.headers['user-agent'];
  return agent === undefined ? {} : { userAgent: agent };
}

/** The refusal, built once: the check runs on every request of a guarded route. */
const REQUIRED = new SessionError('session.required');

/**
 * Builds the preHandler: 403 `{"message": "a valid session is required"}` without a live session, otherwise it sets
 * `request.sesameSession` (the checked value routes keep) and `request.sesameUser` (the account without its hashes).
 * Given the service alone, pass `cookieName` when it is not the default.
 */
export function requireSession(checker: SessionChecker, cookieName?: string): preHandlerAsyncHookHandler {
  const check = sessionCheck(checker, cookieName);
  return async function sesameRequireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!(await check(request))) await sendError(reply, REQUIRED);
  };
}

/**
 * Builds a preHandler for routes that serve everyone but say more to a signed-in person (a home page, a shop's
 * basket): with a live session it sets `request.sesameSession` and `request.sesameUser` as {@link requireSession}
 * does; without one it lets the request through with both unset, and never answers 403.
 */
export function optionalSession(checker: SessionChecker, cookieName?: string): preHandlerAsyncHookHandler {
  const check = sessionCheck(checker, cookieName);
  return async function sesameOptionalSession(request: FastifyRequest): Promise<void> {
    await check(request);
  };
}

/**
 * The signed-in account of a request behind {@link requireSession}, typed as present: a route that reads it without
 * the check in front is a programming error, raised as such rather than answered as a missing session.
 */
export function sessionUser(request: FastifyRequest): PublicUser {
  const user = request.sesameUser;
  if (user === undefined) throw new Error(`${request.method} ${request.routeOptions.url ?? ''} reads the signed-in user without requireSession in front`);
  return user;
}

/** The shared check: validates the cookie once and leaves the session and the account on the request; false without a live session. */
function sessionCheck(checker: SessionChecker, cookieName: string | undefined): (request: FastifyRequest) => Promise<boolean> {
  const sessions = 'validate' in checker ? checker : checker.sessions;
  const name = cookieName ?? ('validate' in checker ? SESSION_COOKIE : checker.config.sessions.cookie.name);
  return async (request) => {
    // Where the request comes from, so the session list can show it; worked out only when a use is recorded.
    const session = await sessions.validate(readSessionId(request, name), () => ({ ip: request.ip, ...userAgentOf(request) }));
    if (session === null) return false;
    request.sesameSession = session;
    request.sesameUser = toPublicUser(session.user);
    return true;
  };
}
