/**
 * `GET /sessions` and `POST /sessions/end`: a user sees every device signed in and ends any or all of them, with
 * their password (OWASP ASVS V7.5.2), e.g. a lost phone from the laptop, without changing the password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { CLEARS_SESSION_COOKIE, documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES } from '../../../kernel/http/schemas.js';
import { SessionError } from '../errors.js';
import { checkedSession } from './checked-session.js';
import { clearSessionCookie } from './cookie.js';
import type { SessionRoutesDeps } from './deps.js';
import { endSessionsBody, endSessionsReply, sessionListReply, type EndSessionsBody } from './schemas.js';

/** Registers the session list and the route that ends sessions from it. */
export function sessionListRoutes(app: FastifyInstance, { sessions, cookie }: SessionRoutesDeps): void {
  app.get(
    '/sessions',
    {
      config: { session: 'required' },
      schema: {
        operationId: 'listSessions',
        summary: 'The signed-in user\'s live sessions, newest first',
        tags: ['sessions'],
        response: { 200: documented(sessionListReply, 'The live sessions'), ...refusals(['session', 'database']) },
      },
    },
    async (request) => {
      const listed = await sessions.list(checkedSession(request));
      return {
        sessions: listed.map((s) => ({
          id: s.handle,
          created_at: new Date(s.createdAt).toISOString(),
          expires_at: new Date(s.expiresAt).toISOString(),
          current: s.current,
          user_agent: s.userAgent,
          ip: s.ip,
          last_seen_at: new Date(s.lastSeenAt).toISOString(),
        })),
      };
    },
  );

  app.post<{ Body: EndSessionsBody }>(
    '/sessions/end',
    {
      // The password is tested here too, so it is counted per account like a login, once the session names it.
      config: { session: 'required', rateLimit: { action: 'session-end', account: 'session', handBackOnSuccess: true } },
      schema: {
        operationId: 'endSessions',
        summary: 'End one session by id, the others, or all, with the password again',
        tags: ['sessions'],
        consumes: BODY_TYPES,
        body: endSessionsBody,
        response: {
          // Set-Cookie only when the presented session is among those ended.
          200: documented(endSessionsReply, 'How many sessions ended; the cookie is cleared when its session ended', CLEARS_SESSION_COOKIE),
          ...refusals(['body', 'state-changing', 'session', 'rate-limited', 'database'], {
            400: '`session` is not a handle, `others` or `all`',
            403: 'the password is wrong (`session.wrong_password`)',
            404: 'no such session of this user (`session.unknown_handle`)',
          }),
        },
      },
    },
    async (request, reply) => {
      const outcome = await sessions.revoke(checkedSession(request), request.body.password, request.body.session, requestContext(request));
      if (outcome.outcome === 'wrong-password') throw new SessionError('session.wrong_password');
      const named = request.body.session !== 'all' && request.body.session !== 'others';
      if (named && outcome.ended === 0) throw new SessionError('session.unknown_handle');
      if (outcome.currentEnded) clearSessionCookie(reply, cookie);
      return { message: outcome.ended === 1 ? 'session ended' : 'sessions ended', ended: outcome.ended };
    },
  );
}
