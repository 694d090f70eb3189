/**
 * `PUT /password`: a signed-in user changes their password, proving they know the current one.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { BODY_TYPES, emailMessageReply, messageReply } from '../../../kernel/http/schemas.js';
import { accountKey, refuseIfAccountLimited } from '../../rate-limits/index.js';
import { readSessionId, setSessionCookie } from '../../sessions/index.js';
import { WeakPasswordError } from '../errors.js';
import type { PasswordRoutesDeps } from './deps.js';
import { passwordChangeBody, type PasswordChangeBody } from './schemas.js';

/**
 * Registers `PUT /password` (cookie, form `password` and `new_password`): 200 `{"email", "message": "Password updated"}`
 * with a fresh session cookie, every earlier session of the user (this one included) ended; 403 without a live
 * session or with a wrong current password; 400 for a new password the policy refuses; 429 past the limits, which
 * count like logins since this also tests a password.
 */
export function changeRoutes(app: FastifyInstance, { change, sessions, cookie, limits }: PasswordRoutesDeps): void {
  app.put<{ Body: PasswordChangeBody }>(
    '/password',
    { schema: { summary: 'Change the password with the current one; every session ends and a fresh cookie is set', tags: ['sessions'], consumes: BODY_TYPES, body: passwordChangeBody, response: { 200: emailMessageReply, 400: messageReply, 403: messageReply } } },
    async (request, reply) => {
      const session = await sessions.validate(readSessionId(request, cookie.name));
      if (session === null) return reply.code(403).send({ message: 'a valid session is required' });
      const { email } = session.user;
      // Counted per account like a login (this route tests a password too), once the session names the account.
      if (await refuseIfAccountLimited(limits, request, reply, 'password-change', email)) return reply;
      let newSessionId: string | null;
      try {
        newSessionId = await change.change(session, request.body.password, request.body.new_password);
      } catch (error) {
        if (error instanceof WeakPasswordError) return reply.code(400).send({ message: error.message });
        throw error;
      }
      if (newSessionId === null) {
        request.log.info({ event: 'password_change.failed', account: accountKey(email) }, 'password change refused');
        return reply.code(403).send({ message: 'current password is wrong' });
      }
      await limits?.recordSuccess('password-change', request.ip, email);
      request.log.info({ event: 'password_change.succeeded', account: accountKey(email) }, 'password changed');
      setSessionCookie(reply, newSessionId, cookie);
      return { email, message: 'Password updated' };
    },
  );
}
