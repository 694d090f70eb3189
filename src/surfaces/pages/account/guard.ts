/**
 * How the account pages know who is signed in: the API's optional session check runs before each of them (it
 * validates the cookie once and leaves the session on the request, which is also how the rate limits count a
 * password guessed on these pages against the account), and a page without a live session sends the browser to
 * the sign-in page, which brings it back here afterwards (`return_to`).
 * @module
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { SessionService, ValidSession } from '../../../modules/sessions/index.js';
import { optionalSession } from '../../api/require-session.js';

/** The preHandler of every account page: leaves `request.sesameSession` set when the cookie names a live session. */
export function accountSessionCheck(sessions: SessionService, cookieName: string): preHandlerAsyncHookHandler {
  return optionalSession(sessions, cookieName);
}

/** The live session the check left on this request, if any. */
export function accountSession(request: FastifyRequest): ValidSession | undefined {
  return request.sesameSession;
}

/**
 * A 303 to the sign-in page (`login`, beside every account page), with this page as `return_to`: the URL as the
 * browser asked for it, so a mount prefix is kept. After a POST whose session ended meanwhile, the browser comes
 * back to the page by GET and the form is shown again; nothing is re-submitted.
 */
export function signInFirst(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const back = request.method === 'GET' ? request.url : request.url.split('?')[0] ?? request.url;
  return reply.redirect(`login?${new URLSearchParams({ return_to: back }).toString()}`, 303);
}
