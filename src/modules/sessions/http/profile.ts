/**
 * `GET /profile`: who the session cookie belongs to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { emailReply, messageReply } from '../../../kernel/http/schemas.js';
import { readSessionId } from './cookie.js';
import type { SessionRoutesDeps } from './deps.js';

/** Registers `GET /profile`: 200 `{"email"}` for a live session, 403 otherwise. */
export function profileRoutes(app: FastifyInstance, { sessions, cookie }: SessionRoutesDeps): void {
  app.get('/profile', { schema: { summary: 'Who the session cookie belongs to', tags: ['seed'], response: { 200: emailReply, 403: messageReply } } }, async (request, reply) => {
    const session = await sessions.validate(readSessionId(request, cookie.name));
    if (session === null) return reply.code(403).send({ message: 'a valid session is required' });
    return { email: session.user.email };
  });
}
