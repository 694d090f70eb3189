/**
 * Prometheus metrics (prom-client) for operators: requests by route template and status, their latency, security
 * events by type (logins failed, lock-outs, cross-site refusals: subscribed to the event bus, so no route needs to
 * know metrics exist), and the process's own figures (event-loop delay, heap, CPU).
 * @module
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import type { EventBus, SesameEvent } from '../../kernel/events.js';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';

/**
 * Adds the request hook, the event counter and `GET /metrics` to `app` (call it on the root, so the plugin's routes
 * are counted too).
 * Each app gets a registry of its own: no global state, so tests can build as many as they like.
 */
export function registerMetrics(app: FastifyInstance, events?: Pick<EventBus<SesameEvent>, 'on'>): Registry {
  // Loaded on the first call, not imported: prom-client (about 4 MiB) is paid for only with METRICS_ENABLED, as this
  // module is imported by every standalone server; `require` because registering is synchronous.
  const { Counter, Histogram, Registry: PromRegistry, collectDefaultMetrics } = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  const registry = new PromRegistry();
  collectDefaultMetrics({ register: registry, prefix: 'sesame_' });
  const authEvents = new Counter({
    name: 'sesame_auth_events_total',
    help: 'Security events by type (login.failed, rate_limit.refused, cross_site.refused, ...); never an account or an address',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  events?.on((event) => authEvents.inc({ type: event.type }));
  const requests = new Counter({
    name: 'sesame_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'sesame_http_request_duration_seconds',
    help: 'Time from request to response, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route template, never the raw URL: a client inventing paths must not invent label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get(METRICS_PATH, { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
