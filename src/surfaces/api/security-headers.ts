/**
 * Security headers for every response: helmet's set, tuned for a JSON API, computed once at start-up, plus `Cache-Control: no-store`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Runs helmet once against a stand-in response and keeps the headers it sets. The policy is the same for every
 * reply, so rebuilding it per request (as the Fastify wrapper does: it re-parses the CSP each time) would only burn
 * the hot path. A JSON API never needs to be framed (X-Frame-Options DENY, frame-ancestors 'none'), to load anything
 * (default-src 'none'), or to leak its URL in a Referer (no-referrer); and every answer is about one user's account
 * or session, so no shared cache may keep it (no-store).
 */
function computeSecurityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet({
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
  })({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return Object.freeze({ ...headers, 'cache-control': 'no-store' });
}

/** The headers every Sesame reply carries, computed once per process. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = computeSecurityHeaders();

/** Sets the security headers on every reply of the given scope from one synchronous hook (error replies included). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(SECURITY_HEADERS);
    done();
  });
}
