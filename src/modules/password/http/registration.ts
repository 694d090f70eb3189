/**
 * `POST /users`: the public sign-up, from an email and a password. With `REQUIRE_EMAIL_VERIFICATION` on it answers a
 * taken address as a new one (the owner is mailed instead), so it tells no one which addresses have accounts.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { BODY_TYPES, emailMessageReply } from '../../../kernel/http/schemas.js';
import { negotiateLanguage } from '../../mail/index.js';
import type { PasswordRoutesDeps } from './deps.js';
import { credentialsBody, type CredentialsBody } from './schemas.js';

/**
 * Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the password is too weak, or, only
 * while verification is not required (development's default), when the email is taken.
 */
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
            400:
              'the policy refuses the password (`password.weak`, `password.breached`, `password.too_costly`), or, only while `REQUIRE_EMAIL_VERIFICATION` is off, the email is already registered (`users.email_taken`); with it on, a taken address answers 200 as a new one and its owner is mailed',
          }),
        },
      },
    },
    async (request) => {
      const { email, password } = request.body;
      // Mail to the account is written in the language the registering browser asked for; the owner can change it.
      await registration.signUp(email, password, requestContext(request), { language: negotiateLanguage(request.headers['accept-language']) });
      // Echo the email as sent: seed clients compare it with what they posted (and it is the same for a taken address).
      return { email, message: 'user created' };
    },
  );
}
