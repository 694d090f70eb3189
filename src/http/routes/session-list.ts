/**
 * `GET /sessions` and `POST /sessions/end`: a user sees every device signed in and ends any or all of them, with
 * their password (OWASP ASVS V7.5.2), e.g. a lost phone from the laptop, without changing the password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { accountKey } from '../../limits/keys.js';
import { refuseIfAccountLimited } from '../rate-limit-guard.js';
import { BODY_TYPES, endSessionsBody, endSessionsReply, messageReply, sessionListReply, type EndSessionsBody } from '../schemas.js';
import { clearSessionCookie, readSessionId } from '../session-cookie.js';
import type { RouteDeps } from './deps.js';

/** Registers the session list and the route that ends sessions from it. */
export function sessionListRoutes(app: FastifyInstance, { auth, cookie, limits }: RouteDeps): void {
  app.get('/sessions', { schema: { summary: 'The signed-in user\'s live sessions, newest first', tags: ['sessions'], response: { 200: sessionListReply, 403: messageReply } } }, async (request, reply) => {
    const sessions = await auth.listSessions(readSessionId(request, cookie.name));
    if (sessions === null) return reply.code(403).send({ message: 'a valid session is required' });
    return {
      sessions: sessions.map((s) => ({
        id: s.handle,
        created_at: new Date(s.createdAt).toISOString(),
        expires_at: new Date(s.expiresAt).toISOString(),
        current: s.current,
      })),
    };
  });

  app.post<{ Body: EndSessionsBody }>(
    '/sessions/end',
    { schema: { summary: 'End one session by id, the others, or all, with the password again', tags: ['sessions'], consumes: BODY_TYPES, body: endSessionsBody, response: { 200: endSessionsReply, 403: messageReply, 404: messageReply } } },
    async (request, reply) => {
      const sessionId = readSessionId(request, cookie.name);
      const user = await auth.getUserFromSessionId(sessionId);
      if (user === null) return reply.code(403).send({ message: 'a valid session is required' });
      // The password is tested here too, so it is counted per account like a login.
      if (await refuseIfAccountLimited(limits, request, reply, 'session-end', user.email)) return reply;
      const outcome = await auth.endSessions(sessionId, request.body.password, request.body.session);
      if (outcome === null) return reply.code(403).send({ message: 'a valid session is required' });
      if (outcome === 'wrong-password') {
        request.log.info({ event: 'sessions_end.failed', account: accountKey(user.email) }, 'ending sessions refused');
        return reply.code(403).send({ message: 'password is wrong' });
      }
      await limits?.recordSuccess('session-end', request.ip, user.email);
      const named = request.body.session !== 'all' && request.body.session !== 'others';
      if (named && outcome.ended === 0) return reply.code(404).send({ message: 'no such session' });
      request.log.info({ event: 'sessions_end.succeeded', account: accountKey(user.email), ended: outcome.ended }, 'sessions ended');
      if (outcome.currentEnded) clearSessionCookie(reply, cookie);
      return { message: outcome.ended === 1 ? 'session ended' : 'sessions ended', ended: outcome.ended };
    },
  );
}
