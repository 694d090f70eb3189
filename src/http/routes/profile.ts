/**
 * `GET /profile`: who the session cookie belongs to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { emailReply, messageReply } from '../schemas.js';
import { readSessionId } from '../session-cookie.js';
import type { RouteDeps } from './deps.js';

/** Registers `GET /profile`: 200 `{"email"}` for a live session, 403 otherwise. */
export function profileRoutes(app: FastifyInstance, { auth, cookie }: RouteDeps): void {
  app.get('/profile', { schema: { summary: 'Who the session cookie belongs to', tags: ['seed'], response: { 200: emailReply, 403: messageReply } } }, async (request, reply) => {
    const user = await auth.getUserFromSessionId(readSessionId(request, cookie.name));
    if (user === null) return reply.code(403).send({ message: 'a valid session is required' });
    return { email: user.email };
  });
}
