/**
 * `GET /sessions` and `POST /sessions/end`: a user sees every device signed in and ends any or all of them, with
 * their password (OWASP ASVS V7.5.2), e.g. a lost phone from the laptop, without changing the password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { BODY_TYPES, messageReply } from '../../../kernel/http/schemas.js';
import { accountKey, refuseIfAccountLimited } from '../../rate-limits/index.js';
import { clearSessionCookie, readSessionId } from './cookie.js';
import type { SessionRoutesDeps } from './deps.js';
import { endSessionsBody, endSessionsReply, sessionListReply, type EndSessionsBody } from './schemas.js';

/** Registers the session list and the route that ends sessions from it. */
export function sessionListRoutes(app: FastifyInstance, { sessions, cookie, limits }: SessionRoutesDeps): void {
  app.get('/sessions', { schema: { summary: 'The signed-in user\'s live sessions, newest first', tags: ['sessions'], response: { 200: sessionListReply, 403: messageReply } } }, async (request, reply) => {
    const session = await sessions.validate(readSessionId(request, cookie.name));
    if (session === null) return reply.code(403).send({ message: 'a valid session is required' });
    const listed = await sessions.list(session);
    return {
      sessions: listed.map((s) => ({
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
      const session = await sessions.validate(readSessionId(request, cookie.name));
      if (session === null) return reply.code(403).send({ message: 'a valid session is required' });
      const { email } = session.user;
      // The password is tested here too, so it is counted per account like a login.
      if (await refuseIfAccountLimited(limits, request, reply, 'session-end', email)) return reply;
      const outcome = await sessions.revoke(session, request.body.password, request.body.session);
      if (outcome.outcome === 'wrong-password') {
        request.log.info({ event: 'sessions_end.failed', account: accountKey(email) }, 'ending sessions refused');
        return reply.code(403).send({ message: 'password is wrong' });
      }
      await limits?.recordSuccess('session-end', request.ip, email);
      const named = request.body.session !== 'all' && request.body.session !== 'others';
      if (named && outcome.ended === 0) return reply.code(404).send({ message: 'no such session' });
      request.log.info({ event: 'sessions_end.succeeded', account: accountKey(email), ended: outcome.ended }, 'sessions ended');
      if (outcome.currentEnded) clearSessionCookie(reply, cookie);
      return { message: outcome.ended === 1 ? 'session ended' : 'sessions ended', ended: outcome.ended };
    },
  );
}
