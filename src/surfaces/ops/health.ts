/**
 * `GET /health`: lets a load balancer or orchestrator see that this instance can reach its database.
 * @module
 */
import type { FastifyInstance } from 'fastify';

const healthReply = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

/** Registers `GET /health`: 200 `{"status": "ok"}`, or 503 `{"status": "unavailable"}` when the database does not answer. */
export function healthRoutes(app: FastifyInstance, ping: () => Promise<void>): void {
  app.get('/health', { schema: { summary: 'Whether this instance and its database answer (for load balancers)', tags: ['operations'], response: { 200: healthReply, 503: healthReply } }, logLevel: 'warn' }, async (request, reply) => {
    try {
      await ping();
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: database unavailable');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
