/**
 * `POST /users`: registers a new account from an email and a password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { BODY_TYPES, emailMessageReply, messageReply } from '../../../kernel/http/schemas.js';
import { rateLimitGuard } from '../../rate-limits/index.js';
import { UserAlreadyExistsError } from '../../users/index.js';
import { WeakPasswordError } from '../errors.js';
import type { PasswordRoutesDeps } from './deps.js';
import { credentialsBody, type CredentialsBody } from './schemas.js';

/** Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the email is taken or the password too weak. */
export function registrationRoutes(app: FastifyInstance, { registration, limits }: PasswordRoutesDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/users',
    {
      schema: { summary: 'Register an account', tags: ['seed'], consumes: BODY_TYPES, body: credentialsBody, response: { 200: emailMessageReply, 400: messageReply } },
      preHandler: rateLimitGuard(limits, 'register'),
    },
    async (request, reply) => {
      const { email, password } = request.body;
      try {
        await registration.register(email, password);
      } catch (error) {
        if (error instanceof UserAlreadyExistsError) return reply.code(400).send({ message: 'email already registered' });
        if (error instanceof WeakPasswordError) return reply.code(400).send({ message: error.message });
        throw error;
      }
      // Echo the email as sent: seed clients compare it with what they posted.
      return { email, message: 'user created' };
    },
  );
}
