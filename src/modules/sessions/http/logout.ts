/**
 * `DELETE /sessions`: log out on this device.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { CLEARS_SESSION_COOKIE, documented, refusals } from '../../../kernel/http/responses.js';
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
  const schema = {
    operationId: 'logOut',
    summary: 'Log out on this device: ends the presented session, 302 to /',
    tags: ['seed'],
    // Declared here, not by `config.session`: logout reads the cookie itself, since it also redirects for a session
    // that a reset already ended, which the session check would refuse.
    security: [{ session: [] }],
    response: {
      302: documented({ type: 'null' }, 'Logged out (or the session had already been ended by a password reset or change): the cookie is cleared', {
        Location: { type: 'string', description: 'The root of the service' },
        ...CLEARS_SESSION_COOKIE,
      }),
      ...refusals(['state-changing', 'database'], { 403: 'no such session: never issued, logged out, revoked or expired (`session.not_found`)' }),
    },
  };
  app.delete('/sessions', { schema }, async (request, reply) => {
    const { outcome } = await sessions.logout(readSessionId(request, cookie.name), requestContext(request));
    // Cleared either way: a dead cookie is of no use to the browser.
    clearSessionCookie(reply, cookie);
    if (outcome === 'unknown') throw new SessionError('session.not_found');
    return reply.redirect(home, 302);
  });
}
