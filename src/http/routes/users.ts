/**
 * `POST /users`: registers a new account from an email and a password.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { UserAlreadyExistsError, WeakPasswordError } from '../../errors.js';
import { rateLimitGuard } from '../rate-limit-guard.js';
import { BODY_TYPES, credentialsBody, emailMessageReply, messageReply, type CredentialsBody } from '../schemas.js';
import type { RouteDeps } from './deps.js';

/** Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the email is taken or the password too weak. */
export function userRoutes(app: FastifyInstance, { auth, limits }: RouteDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/users',
    {
      schema: { summary: 'Register an account', tags: ['seed'], consumes: BODY_TYPES, body: credentialsBody, response: { 200: emailMessageReply, 400: messageReply } },
      preHandler: rateLimitGuard(limits, 'register'),
    },
    async (request, reply) => {
      const { email, password } = request.body;
      try {
        await auth.registerUser(email, password);
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
