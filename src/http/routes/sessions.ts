/**
 * `POST /sessions` (log in) and `DELETE /sessions` (log out on this device).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { accountKey } from '../../limits/keys.js';
import { rateLimitGuard } from '../rate-limit-guard.js';
import { BODY_TYPES, credentialsBody, emailMessageReply, messageReply, type CredentialsBody } from '../schemas.js';
import { clearSessionCookie, readSessionId, setSessionCookie } from '../session-cookie.js';
import type { RouteDeps } from './deps.js';

/** Registers the login and logout routes. */
export function sessionRoutes(app: FastifyInstance, { auth, cookie, limits }: RouteDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/sessions',
    {
      schema: { summary: 'Log in: sets the session cookie', tags: ['seed'], consumes: BODY_TYPES, body: credentialsBody, response: { 200: emailMessageReply, 401: messageReply } },
      preHandler: rateLimitGuard(limits, 'login'),
    },
    async (request, reply) => {
      const { email, password } = request.body;
      if (!(await auth.validLogin(email, password))) {
        // Security event (OWASP ASVS 16.3.1): the account as a hash, so the log holds no list of emails.
        request.log.info({ event: 'login.failed', account: accountKey(email) }, 'login failed');
        // One message for unknown email and wrong password, so the reply does not reveal which accounts exist.
        return reply.code(401).send({ message: 'wrong email or password' });
      }
      await limits?.recordSuccess('login', request.ip, email);
      request.log.info({ event: 'login.succeeded', account: accountKey(email) }, 'login succeeded');
      // Always a fresh session id, and the one this client presented (if any) ends: a session id can never outlive
      // a re-authentication, so a planted or leaked id is useless (no session fixation; OWASP ASVS 7.2.4).
      await auth.destroySession(readSessionId(request, cookie.name));
      setSessionCookie(reply, await auth.createSession(email), cookie);
      return { email, message: 'logged in' };
    },
  );

  // 302 exactly: a client following it arrives at GET / (307/308 would repeat the DELETE).
  const home = `${app.prefix}/`.replace(/\/+$/, '') || '/';
  app.delete('/sessions', { schema: { summary: 'Log out on this device: ends the presented session, 302 to /', tags: ['seed'], response: { 403: messageReply } } }, async (request, reply) => {
    const ended = await auth.destroySession(readSessionId(request, cookie.name));
    // Cleared either way: a dead cookie is of no use to the browser.
    clearSessionCookie(reply, cookie);
    if (!ended) return reply.code(403).send({ message: 'no such session' });
    return reply.redirect(home, 302);
  });
}
