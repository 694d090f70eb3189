/**
 * A `preHandler` for a host application's own routes: lets a request through only with a live Sesame session.
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { toPublicUser, type PublicUser } from '../../users/index.js';
import type { SessionService } from '../service.js';
import { readSessionId, SESSION_COOKIE } from './cookie.js';

declare module 'fastify' {
  /** Adds the signed-in user to Fastify's request type for routes behind {@link requireSession}. */
  interface FastifyRequest {
    /** The signed-in user, set by the `requireSession` preHandler. */
    sesameUser?: PublicUser;
  }
}

/** Whatever can check a session: the session service, or a whole Sesame instance carrying one. */
export type SessionChecker = SessionService | { readonly sessions: SessionService; readonly config?: { readonly sessions: { readonly cookie: { readonly name: string } } } };

/**
 * Builds a preHandler that answers 403 `{"message"}` without a live session, and otherwise sets `request.sesameUser`.
 * Given a Sesame instance it reads the configured cookie name; given the service alone, pass `cookieName` when it is
 * not the default.
 */
export function requireSession(checker: SessionChecker, cookieName?: string): preHandlerAsyncHookHandler {
  const sessions = 'validate' in checker ? checker : checker.sessions;
  const name = cookieName ?? ('validate' in checker ? undefined : checker.config?.sessions.cookie.name) ?? SESSION_COOKIE;
  return async function sesameRequireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = await sessions.validate(readSessionId(request, name));
    if (session === null) {
      await reply.code(403).send({ message: 'a valid session is required' });
      return;
    }
    request.sesameUser = toPublicUser(session.user);
  };
}
