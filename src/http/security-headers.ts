/**
 * Security headers for every response: helmet's set, tuned for a JSON API, plus `Cache-Control: no-store`.
 * @module
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Registers the headers in the given scope. A JSON API never needs to be framed (X-Frame-Options DENY,
 * frame-ancestors 'none'), to load anything (default-src 'none'), or to leak its URL in a Referer (no-referrer);
 * and every answer is about one user's account or session, so no shared cache may keep it (no-store).
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
}
