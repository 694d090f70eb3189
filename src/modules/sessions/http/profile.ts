/**
 * `GET /profile`: who the session cookie belongs to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { emailReply, messageReply } from '../../../kernel/http/schemas.js';
import { checkedSession } from './checked-session.js';

/** Registers `GET /profile`: 200 `{"email"}` for a live session, 403 otherwise (from the session check). */
export function profileRoutes(app: FastifyInstance): void {
  app.get(
    '/profile',
    { config: { session: 'required' }, schema: { summary: 'Who the session cookie belongs to', tags: ['seed'], response: { 200: emailReply, 403: messageReply } } },
    async (request) => ({ email: checkedSession(request).user.email }),
  );
}
