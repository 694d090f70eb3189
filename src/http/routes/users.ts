/**
 * `POST /users`: registration.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { UserAlreadyExistsError } from '../../errors.js';
import { credentialsBody, emailMessageReply, messageReply, type CredentialsBody } from '../schemas.js';
import type { RouteDeps } from './deps.js';

/** Registers `POST /users`: 200 `{"email", "message": "user created"}`, or 400 when the email is taken. */
export function userRoutes(app: FastifyInstance, { auth }: RouteDeps): void {
  app.post<{ Body: CredentialsBody }>(
    '/users',
    { schema: { body: credentialsBody, response: { 200: emailMessageReply, 400: messageReply } } },
    async (request, reply) => {
      const { email, password } = request.body;
      try {
        await auth.registerUser(email, password);
      } catch (error) {
        if (error instanceof UserAlreadyExistsError) return reply.code(400).send({ message: 'email already registered' });
        throw error;
      }
      // Echo the email as sent: seed clients compare it with what they posted.
      return { email, message: 'user created' };
    },
  );
}
