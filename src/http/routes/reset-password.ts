/**
 * `POST /reset_password` (issue a token) and `PUT /reset_password` (spend it).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { InvalidResetTokenError, NoResultFoundError } from '../../errors.js';
import {
  emailMessageReply,
  messageReply,
  resetRequestBody,
  resetTokenReply,
  resetUpdateBody,
  type ResetRequestBody,
  type ResetUpdateBody,
} from '../schemas.js';
import type { RouteDeps } from './deps.js';

/** Registers both reset routes. */
export function resetPasswordRoutes(app: FastifyInstance, { auth }: RouteDeps): void {
  app.post<{ Body: ResetRequestBody }>(
    '/reset_password',
    { schema: { body: resetRequestBody, response: { 200: resetTokenReply, 403: messageReply } } },
    async (request, reply) => {
      const { email } = request.body;
      try {
        return { email, reset_token: await auth.getResetPasswordToken(email) };
      } catch (error) {
        if (error instanceof NoResultFoundError) return reply.code(403).send({ message: 'email not registered' });
        throw error;
      }
    },
  );

  app.put<{ Body: ResetUpdateBody }>(
    '/reset_password',
    { schema: { body: resetUpdateBody, response: { 200: emailMessageReply, 403: messageReply } } },
    async (request, reply) => {
      const { email, reset_token: resetToken, new_password: newPassword } = request.body;
      try {
        await auth.updatePassword(resetToken, newPassword, email);
      } catch (error) {
        if (error instanceof InvalidResetTokenError) return reply.code(403).send({ message: 'invalid reset token' });
        throw error;
      }
      return { email, message: 'Password updated' };
    },
  );
}
