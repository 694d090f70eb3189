/**
 * `PUT /password`: a signed-in user changes their password, proving they know the current one.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals, SETS_SESSION_COOKIE } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { checkedSession, setSessionCookie } from '../../sessions/index.js';
import { PasswordError } from '../errors.js';
import type { PasswordRoutesDeps } from './deps.js';
import { passwordChangeBody, type PasswordChangeBody } from './schemas.js';

/**
 * Registers `PUT /password` (cookie, form `password` and `new_password`): 200 `{"email", "message": "Password updated"}`
 * with a fresh session cookie, every earlier session of the user (this one included) ended; 403 without a live
 * session or with a wrong current password; 400 for a new password the policy refuses; 429 past the limits, which
 * count like logins since this also tests a password.
 */
export function changeRoutes(app: FastifyInstance, { change, cookie }: PasswordRoutesDeps): void {
  app.put<{ Body: PasswordChangeBody }>(
    '/password',
    {
      config: { session: 'required', rateLimit: { action: 'password-change', account: 'session', handBackOnSuccess: true } },
      schema: {
        operationId: 'changePassword',
        summary: 'Change the password with the current one; every session ends and a fresh cookie is set',
        tags: ['sessions'],
        consumes: BODY_TYPES,
        body: passwordChangeBody,
        response: {
          200: documented(emailMessageReply, 'Password changed; every earlier session ended, a fresh one is set', SETS_SESSION_COOKIE),
          ...refusals(['body', 'state-changing', 'session', 'rate-limited', 'new-password', 'database'], {
            400: 'the policy refuses the new password (`password.weak`, `password.breached`, `password.too_costly`)',
            403: 'the current password is wrong (`password.current_wrong`)',
          }),
        },
      },
    },
    async (request, reply) => {
      const session = checkedSession(request);
      const { email } = session.user;
      const newSessionId = await change.change(session, request.body.password, request.body.new_password, requestContext(request));
      if (newSessionId === null) throw new PasswordError('password.current_wrong');
      setSessionCookie(reply, newSessionId, cookie);
      return { email, message: 'Password updated' };
    },
  );
}
