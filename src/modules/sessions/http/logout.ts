/**
 * `DELETE /sessions`: log out on this device.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { messageReply } from '../../../kernel/http/schemas.js';
import { SessionError } from '../errors.js';
import { clearSessionCookie, readSessionId } from './cookie.js';
import type { SessionRoutesDeps } from './deps.js';

/**
 * Registers `DELETE /sessions`: ends the presented session, clears the cookie and redirects to the mount's root; a
 * session a password reset or change already ended redirects too (the seed never ended it); anything else is 403.
 */
export function logoutRoutes(app: FastifyInstance, { sessions, cookie }: SessionRoutesDeps): void {
  // 302 exactly: a client following it arrives at GET / (307/308 would repeat the DELETE).
  const home = `${app.prefix}/`.replace(/\/+$/, '') || '/';
  app.delete('/sessions', { schema: { summary: 'Log out on this device: ends the presented session, 302 to /', tags: ['seed'], response: { 403: messageReply } } }, async (request, reply) => {
    const { outcome } = await sessions.logout(readSessionId(request, cookie.name), requestContext(request));
    // Cleared either way: a dead cookie is of no use to the browser.
    clearSessionCookie(reply, cookie);
    if (outcome === 'unknown') throw new SessionError('session.not_found');
    return reply.redirect(home, 302);
  });
}
