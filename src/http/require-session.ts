/**
 * A `preHandler` for a host application's own routes: lets a request through only with a live Sesame session.
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { toPublicUser, type Auth } from '../auth/auth.js';
import type { PublicUser } from '../user/user.js';
import { readSessionId, SESSION_COOKIE } from './session-cookie.js';

declare module 'fastify' {
  /** Adds the signed-in user to Fastify's request type for routes behind {@link requireSession}. */
  interface FastifyRequest {
    /** The signed-in user, set by the `requireSession` preHandler. */
    sesameUser?: PublicUser;
  }
}

/**
 * Builds a preHandler that answers 403 `{"message"}` without a live session, and otherwise sets `request.sesameUser`;
 * pass the same `cookieName` as to the plugin when it is not the default.
 */
export function requireSession(auth: Auth, cookieName: string = SESSION_COOKIE): preHandlerAsyncHookHandler {
  return async function sesameRequireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = await auth.getUserFromSessionId(readSessionId(request, cookieName));
    if (user === null) {
      await reply.code(403).send({ message: 'a valid session is required' });
      return;
    }
    request.sesameUser = toPublicUser(user);
  };
}
