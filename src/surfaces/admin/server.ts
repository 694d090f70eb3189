/**
 * The admin listener: a Fastify server of its own (ADMIN_PORT, loopback by default) carrying only the admin routes
 * and their OpenAPI document, behind the bearer-token check. Public and admin routes never share a port, so neither
 * a public route on the admin port nor an admin route on the public port can answer.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { freshRequestId, REQUEST_ID_HEADER } from '../../kernel/http/request-id.js';
import { SESAME_VERSION } from '../../kernel/version.js';
import type { Sesame } from '../../sesame.js';
import { sesameErrorHandler } from '../api/error-handler.js';
import { RequestError, sendError } from '../api/errors.js';
import { registerSecurityHeaders, SECURITY_HEADERS } from '../api/security-headers.js';
import { registerOpenApi } from '../ops/openapi.js';
import { adminRoutes } from './routes.js';
import { requireAdminToken } from './token-check.js';

/** Builds (but does not start) the admin server over a Sesame instance; closing it leaves the instance open. */
export async function buildAdminServer(sesame: Sesame): Promise<FastifyInstance> {
  const { config } = sesame;
  const app = Fastify({
    loggerInstance: sesame.log.child({ listener: 'admin' }),
    requestTimeout: config.server.requestTimeoutMs,
    bodyLimit: 16 * 1024,
    http: { headersTimeout: config.server.headersTimeoutMs },
    // A UUID per request, never a client's id (the listener trusts no proxy) nor Fastify's counter (`req-2`), which
    // restarts with the process and so names several requests in one audit log.
    requestIdHeader: false,
    genReqId: freshRequestId,
    // A URL Fastify cannot decode: the table's answer, never Fastify's own, which quotes the URL (its query may hold a
    // secret).
    frameworkErrors: (_error, request, reply) => {
      void reply.headers(SECURITY_HEADERS);
      void reply.header(REQUEST_ID_HEADER, String(request.id));
      void sendError(reply, new RequestError('request.malformed_url'));
    },
  });
  registerSecurityHeaders(app);
  // In onSend, which every reply passes (the token refusal, errors, 404s), so an operator can quote any answer's id.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header(REQUEST_ID_HEADER, String(request.id));
    done(null, payload);
  });
  // Fastify's own validator, which coerces the numbers in paths and query strings (the public API's strict one is for
  // its form and JSON bodies, where a coerced type would hide a client's mistake).
  app.setErrorHandler(sesameErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    void sendError(reply, new RequestError('route.not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  requireAdminToken(app, sesame.adminTokens);
  await registerOpenApi(app, { version: SESAME_VERSION, cookieName: config.sessions.cookie.name, surface: 'admin' });
  adminRoutes(app, sesame);
  return app;
}
