/**
 * `GET /profile`: who the session cookie belongs to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { documented, refusals } from '../../../kernel/http/responses.js';
import { emailReply } from '../../../kernel/http/schemas.js';
import { checkedSession } from './checked-session.js';

/** Registers `GET /profile`: 200 `{"email"}` for a live session, 403 otherwise (from the session check). */
export function profileRoutes(app: FastifyInstance): void {
  app.get(
    '/profile',
    {
      config: { session: 'required' },
      schema: {
        operationId: 'getProfile',
        summary: 'Who the session cookie belongs to',
        tags: ['seed'],
        response: { 200: documented(emailReply, 'The signed-in user'), ...refusals(['session', 'database']) },
      },
    },
    async (request) => ({ email: checkedSession(request).user.email }),
  );
}
