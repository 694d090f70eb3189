/**
 * `POST /users`: registers a new account from an email and a password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { requestContext } from '../../../kernel/http/event-context.js';
import { BODY_TYPES, emailMessageReply, messageReply } from '../../../kernel/http/schemas.js';
import type { PasswordRoutesDeps } from './deps.js';
import { credentialsBody, type CredentialsBody } from './schemas.js';

/** Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the email is taken or the password too weak. */
export function registrationRoutes(app: FastifyInstance, { registration }: PasswordRoutesDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/users',
    {
      config: { rateLimit: { action: 'register', account: 'body' } },
      schema: { summary: 'Register an account', tags: ['seed'], consumes: BODY_TYPES, body: credentialsBody, response: { 200: emailMessageReply, 400: messageReply } },
    },
    async (request) => {
      const { email, password } = request.body;
      await registration.register(email, password, requestContext(request));
      // Echo the email as sent: seed clients compare it with what they posted.
      return { email, message: 'user created' };
    },
  );
}
