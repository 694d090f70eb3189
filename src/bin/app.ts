/**
 * The standalone application: one Fastify server carrying the JSON API surface at `/` and the operations surface
 * (`/health`, `/metrics`, `/openapi.json`, `/docs`), over a Sesame instance, so tests build it in-process.
 * @module
 */
import cluster from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { peerTrust, REQUEST_ID_HEADER, requestIdGenerator } from '../kernel/http/request-id.js';
import { SESAME_VERSION } from '../kernel/version.js';
import type { Sesame } from '../sesame.js';
import { sesameErrorHandler } from '../surfaces/api/error-handler.js';
import { answerFor, ERROR_HEADER, RequestError, sendError } from '../surfaces/api/errors.js';
import { SeedReasonResponse } from '../surfaces/api/reason-phrases.js';
import { API_BODY_LIMIT, sesamePlugin } from '../surfaces/api/plugin.js';
import { registerSecurityHeaders, SECURITY_HEADERS } from '../surfaces/api/security-headers.js';
import { healthRoutes } from '../surfaces/ops/health.js';
import { registerLoadShedding } from '../surfaces/ops/load-shedding.js';
import { registerMetrics } from '../surfaces/ops/metrics.js';
import { registerDocs } from '../surfaces/ops/docs.js';
import { registerOpenApi } from '../surfaces/ops/openapi.js';
import { clientErrorHandler } from './client-error.js';

/** Builds (but does not start) the standalone server; closing it closes the Sesame instance too. */
export async function buildServer(sesame: Sesame): Promise<FastifyInstance> {
  const { config } = sesame;
  const requestIdFor = requestIdGenerator(peerTrust(config.server.trustProxy));
  const app = Fastify({
    loggerInstance: sesame.log,
    // Behind a load balancer the client's address is in X-Forwarded-For; only trusted when configured, or any
    // client could pick its own rate-limit key (see trust-proxy.ts for why a hop count is not accepted).
    trustProxy: typeof config.server.trustProxy === 'boolean' ? config.server.trustProxy : [...config.server.trustProxy],
    // Fastify's own 503 while closing would bypass the security-header hooks; a closing server stops accepting
    // connections anyway, and requests already on open connections are served normally until they finish.
    return503OnClosing: false,
    // One id per request across the proxy's log, ours and the audit rows: a well-formed X-Request-Id from a proxy
    // TRUST_PROXY names is kept, anything else replaced (Fastify's own header option would take any value from anyone,
    // line breaks and megabytes included).
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Time limits on clients (Fastify turns Node's request timeout off by default): a body that never comes or headers
    // sent a byte at a time would otherwise hold a socket for ever. Past them Node answers 408 through
    // clientErrorHandler and frees the socket.
    requestTimeout: config.server.requestTimeoutMs,
    // The API's own limit (16 KiB) for every route, known or not: an unknown route would otherwise read a 1 MiB body
    // (Fastify's default) before answering 404.
    bodyLimit: API_BODY_LIMIT,
    keepAliveTimeout: config.server.keepAliveTimeoutMs,
    clientErrorHandler,
    // Errors Fastify answers before any hook runs (a URL it cannot decode): through the table, with the security
    // headers, and never echoing the URL (its query string may hold a secret).
    frameworkErrors: (_error, request, reply) => {
      void reply.headers(SECURITY_HEADERS);
      void reply.header(REQUEST_ID_HEADER, String(request.id));
      void sendError(reply, new RequestError('request.malformed_url'));
    },
    // The seed's reason phrases (`401 UNAUTHORIZED`) on every status line this server writes, at no cost per request.
    // A request without Host reaches Fastify (and its hooks) instead of Node's bare 400; the cross-site check needs no
    // Host once PUBLIC_URL is set, and without it an empty Host simply matches no Origin.
    // Node checks the request and headers timeouts every `connectionsCheckingInterval` (30 s by default, which would
    // let a stalled client hold its socket that much longer than configured).
    http: {
      ServerResponse: SeedReasonResponse,
      requireHostHeader: false,
      headersTimeout: config.server.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.server.headersTimeoutMs),
    },
  });
  // Past this many open connections Node closes new ones at once, so a flood of idle sockets cannot exhaust the
  // process's file descriptors.
  app.server.maxConnections = config.server.maxConnections;
  // An Expect other than 100-continue: Node would answer a bare 417 itself; answer it as every other refusal.
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const { code, status, message } = answerFor(new RequestError('request.expectation_failed'));
    const body = JSON.stringify({ message });
    response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), [ERROR_HEADER]: code, [REQUEST_ID_HEADER]: requestIdFor(request), connection: 'close' });
    response.end(body);
  });
  // At the root, so the 404s and /health carry the headers too (OWASP ASVS 3.4.1); unparsable requests get them
  // from clientErrorHandler.
  registerSecurityHeaders(app);
  // In onSend, which every reply passes (errors, 404s, shed requests), so a client can quote the id of any answer.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header(REQUEST_ID_HEADER, String(request.id));
    done(null, payload);
  });
  app.setErrorHandler(sesameErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    void sendError(reply, new RequestError('route.not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
  await registerLoadShedding(app, config.ops);
  if (config.ops.openApiEnabled) {
    await registerOpenApi(app, { version: SESAME_VERSION, cookieName: config.sessions.cookie.name, publicUrl: config.api.publicUrl?.href });
    registerDocs(app);
  }
  if (config.ops.metricsEnabled) registerMetrics(app, sesame.events, { clusterWorker: cluster.isWorker });
  healthRoutes(app, (ms) => sesame.pingWithin(ms));
  await app.register(sesamePlugin, { profile: config.profile, sesame, securityHeaders: false, seedReasonPhrases: false });
  // Once closing, every answer says `Connection: close`: Node closes only connections idle when the stop began, so a
  // keep-alive client whose request was in flight would otherwise hold its connection (and the shutdown) open.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', () => sesame.close());
  return app;
}
