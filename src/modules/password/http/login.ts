/**
 * `POST /sessions`: log in with an email and a password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals, SETS_SESSION_COOKIE } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { provedAccount } from '../../rate-limits/index.js';
import { readSessionId, setSessionCookie } from '../../sessions/index.js';
import { PasswordError } from '../errors.js';
import type { PasswordRoutesDeps } from './deps.js';
import { credentialsBody, type CredentialsBody } from './schemas.js';

/** Registers the login route: 200 with a fresh session cookie, or 401 for a wrong email or password. */
export function loginRoutes(app: FastifyInstance, { login, cookie }: PasswordRoutesDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/sessions',
    {
      config: { rateLimit: { action: 'login', account: 'body', handBackOnSuccess: true } },
      schema: {
        operationId: 'logIn',
        summary: 'Log in: sets the session cookie',
        tags: ['seed'],
        consumes: BODY_TYPES,
        body: credentialsBody,
        response: {
          200: documented(emailMessageReply, 'Logged in; the session cookie is set', SETS_SESSION_COOKIE),
          ...refusals(['body', 'state-changing', 'rate-limited', 'database'], { 401: 'wrong email or password (`login.invalid_credentials`)' }),
        },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const loggedIn = await login.login(email, password, readSessionId(request, cookie.name), requestContext(request));
      if (loggedIn === null) throw new PasswordError('login.invalid_credentials');
      provedAccount(request, loggedIn.user.email);
      setSessionCookie(reply, loggedIn.sessionId, cookie);
      return { email, message: 'logged in' };
    },
  );
}
