/**
 * Validate once: a route declares `config: { session: 'required' }`, the API surface runs one session check before
 * it (the same `requireSession` a host's routes use), and the handler reads the checked session from the request
 * instead of looking the cookie up again.
 * @module
 */
import type { FastifyRequest } from 'fastify';
import type { PublicUser } from '../../users/index.js';
import type { ValidSession } from '../service.js';

declare module 'fastify' {
  /** Per-route declarations Sesame's hooks read. */
  interface FastifyContextConfig {
    /** `required`: the route runs only with a live session, checked once before the handler. */
    session?: 'required';
  }
  /** What the session check leaves on a request. */
  interface FastifyRequest {
    /** The checked session, on routes behind the session check. */
    sesameSession?: ValidSession;
    /** The signed-in user as a host may see it, on routes behind the session check. */
    sesameUser?: PublicUser;
  }
}

/** The session the check left on this request; a route that did not declare `config.session` is a programming error. */
export function checkedSession(request: FastifyRequest): ValidSession {
  const session = request.sesameSession;
  if (session === undefined) throw new Error(`${request.method} ${request.routeOptions.url ?? ''} reads a session but does not declare config.session`);
  return session;
}
