/**
 * Health for load balancers and orchestrators: `/health/live` (the process answers: restart it if not),
 * `/health/ready` (it can reach its database: send it traffic), and `/health`, which answers as it always has
 * (ready or not). The database check is bounded, so a stalled database makes readiness fail fast instead of hang.
 * @module
 */
// Type-only: brings the per-route `config.pressureHandler` into Fastify's route config type.
import type {} from './load-shedding.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documented } from '../../kernel/http/responses.js';
import { OVERLOAD_RETRY_AFTER_SECONDS } from '../../kernel/overload.js';

const healthReply = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

/** How long a readiness check waits for the database. */
export const READINESS_TIMEOUT_MS = 1000;

/**
 * Registers `/health/live` (200 `{"status": "ok"}` while the process serves), and `/health/ready` and `/health`
 * (200 `{"status": "ok"}`, or 503 `{"status": "unavailable"}` with `Retry-After` when the database does not answer
 * within a second).
 */
export function healthRoutes(app: FastifyInstance, pingWithin: (ms: number) => Promise<void>): void {
  const unavailable = documented(healthReply, 'The database does not answer in time (`unavailable`) or the instance is shedding load (`overloaded`)', {
    'Retry-After': { type: 'integer', minimum: 0, description: 'Seconds to wait before asking again' },
  });
  const ops = { tags: ['operations'], response: { 200: documented(healthReply, 'Ready'), 503: unavailable } };
  // Under load shedding (ops/load-shedding.ts) liveness still answers, since restarting a busy process would not help;
  // readiness says `overloaded`, so a load balancer sends traffic elsewhere until the backlog drains.
  const alive = { pressureHandler: (): undefined => undefined };
  const overloaded = {
    pressureHandler: (_request: FastifyRequest, reply: FastifyReply): { status: string } => {
      void reply.code(503).header('retry-after', String(OVERLOAD_RETRY_AFTER_SECONDS));
      return { status: 'overloaded' };
    },
  };
  app.get('/health/live', { schema: { operationId: 'checkLiveness', summary: 'Whether this process answers (liveness)', tags: ['operations'], response: { 200: documented(healthReply, 'The process serves') } }, logLevel: 'warn', config: alive }, () => ({ status: 'ok' }));
  const ready = async (request: FastifyRequest, reply: FastifyReply): Promise<{ status: string }> => {
    try {
      await pingWithin(READINESS_TIMEOUT_MS);
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: database unavailable');
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable' });
    }
  };
  app.get('/health/ready', { schema: { operationId: 'checkReadiness', summary: 'Whether this instance can reach its database and has capacity (readiness)', ...ops }, logLevel: 'warn', config: overloaded }, ready);
  app.get('/health', { schema: { operationId: 'checkHealth', summary: 'Whether this instance and its database answer (for load balancers)', ...ops }, logLevel: 'warn', config: overloaded }, ready);
}
