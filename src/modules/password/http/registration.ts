/**
 * `POST /users`: registers a new account from an email and a password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { negotiateLanguage } from '../../mail/index.js';
import type { PasswordRoutesDeps } from './deps.js';
import { credentialsBody, type CredentialsBody } from './schemas.js';

/** Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the email is taken or the password too weak. */
export function registrationRoutes(app: FastifyInstance, { registration }: PasswordRoutesDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/users',
    {
      config: { rateLimit: { action: 'register', account: 'body' } },
      schema: {
        operationId: 'registerUser',
        summary: 'Register an account',
        tags: ['seed'],
        consumes: BODY_TYPES,
        body: credentialsBody,
        response: {
          200: documented(emailMessageReply, 'Account created'),
          ...refusals(['body', 'state-changing', 'rate-limited', 'new-password', 'database'], {
            400: 'the email is already registered (`users.email_taken`) or the policy refuses the password (`password.weak`, `password.too_costly`)',
          }),
        },
      },
    },
    async (request) => {
      const { email, password } = request.body;
      // Mail to the account is written in the language the registering browser asked for; the owner can change it.
      await registration.register(email, password, requestContext(request), { language: negotiateLanguage(request.headers['accept-language']) });
      // Echo the email as sent: seed clients compare it with what they posted.
      return { email, message: 'user created' };
    },
  );
}
