/**
 * `GET /`: the seed's welcome route, also where logout redirects to.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { messageReply } from '../../kernel/http/schemas.js';

/** Registers `GET /` answering `{"message": "Bienvenue"}`. */
export function homeRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { operationId: 'getWelcome', summary: 'The seed\'s welcome message', tags: ['seed'], response: { 200: messageReply } } }, async () => ({ message: 'Bienvenue' }));
}
