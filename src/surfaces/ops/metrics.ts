/**
 * Prometheus metrics (prom-client) for operators: requests by route template and status, their latency, security
 * events by type (logins failed, lock-outs, cross-site refusals: subscribed to the event bus, so no route needs to
 * know metrics exist), logins by outcome, lock-outs, password resets, admin actions and outbox messages (the same
 * events, as the counters an operator alerts on), and the process's own figures (event-loop delay, heap, CPU). With `WORKERS` > 1
 * the figures served are the whole process group's (see cluster-metrics.ts).
 * @module
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import type { EventBus, SesameEvent } from '../../kernel/events.js';
import { clusterMetricsClient } from './cluster-metrics.js';

/** Where the metrics are served. */
export const METRICS_PATH = '/metrics';

/** How {@link registerMetrics} serves its figures. */
export interface MetricsOptions {
  /**
   * This process is one worker of a node:cluster group: `/metrics` answers with the group's totals, which the
   * primary gathers from every worker, rather than this worker's share of them.
   */
  readonly clusterWorker?: boolean;
}

/** The `outcome` label of a login event, or undefined for an event that is not one. */
function loginOutcome(event: SesameEvent): string | undefined {
  if (event.type === 'login.succeeded') return 'succeeded';
  if (event.type === 'login.failed') return 'failed';
  // A login refused by the limits never reached the password check: its own outcome, so guessing shows apart.
  if (event.type === 'rate_limit.refused' && event.detail?.['action'] === 'login') return 'rate_limited';
  return undefined;
}

/** The `stage` label of a password-reset event, or undefined for an event that is not one. */
function resetStage(event: SesameEvent): string | undefined {
  if (event.type === 'password.reset_requested') return 'requested';
  if (event.type === 'password.reset') return 'completed';
  return undefined;
}

/** The `outcome` label of an outbox event, or undefined for an event that is not one. */
function mailOutcomeOf(event: SesameEvent): string | undefined {
  if (event.type === 'mail.sent') return 'sent';
  if (event.type === 'mail.held') return 'held';
  if (event.type === 'mail.failed') return event.detail?.['gaveUp'] === true ? 'gave_up' : 'failed';
  return undefined;
}

/** The `account.*` events a public sign-up records (a new account, or a sign-up for a taken address): no operator's doing. */
const SELF_SERVICE_ACCOUNT_EVENTS: ReadonlySet<string> = new Set(['account.created', 'account.registration_repeated']);

/**
 * Whether an event is an administrator's action on an account: the `account.*` events, but for those of someone
 * signing up through the public API.
 */
function isAdminAction(event: SesameEvent): boolean {
  return event.type.startsWith('account.') && !SELF_SERVICE_ACCOUNT_EVENTS.has(event.type);
}

/**
 * Adds the request hook, the event counters and `GET /metrics` to `app` (call it on the root, so the plugin's routes
 * are counted too).
 * Each app gets a registry of its own: no global state, so tests can build as many as they like.
 */
export function registerMetrics(app: FastifyInstance, events?: Pick<EventBus<SesameEvent>, 'on'>, options: MetricsOptions = {}): Registry {
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
  const logins = new Counter({
    name: 'sesame_logins_total',
    help: 'Login attempts by outcome: succeeded, failed (wrong password or unknown email), rate_limited (refused by the limits before any check)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const lockouts = new Counter({
    name: 'sesame_lockouts_total',
    help: 'Requests refused with 429 by the brute-force limits, by the action refused (login, register, reset-request, ...)',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const resets = new Counter({
    name: 'sesame_password_resets_total',
    help: 'Password resets by stage: requested (a token was issued) and completed (the password was replaced)',
    labelNames: ['stage'] as const,
    registers: [registry],
  });
  const mail = new Counter({
    name: 'sesame_mail_total',
    help: 'Outbox messages by kind (password_reset, email_verify, ...) and outcome: sent, failed (a try failed; retried), gave_up (failed for good), held (over a per-recipient limit: not enqueued, or for a once-a-day notice written suppressed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const adminActions = new Counter({
    name: 'sesame_admin_actions_total',
    help: 'Administrative actions on accounts (account.* events other than a self-registration), by event type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  events?.on((event) => {
    authEvents.inc({ type: event.type });
    const outcome = loginOutcome(event);
    if (outcome !== undefined) logins.inc({ outcome });
    if (event.type === 'rate_limit.refused') lockouts.inc({ action: String(event.detail?.['action'] ?? 'unknown') });
    const stage = resetStage(event);
    if (stage !== undefined) resets.inc({ stage });
    if (isAdminAction(event)) adminActions.inc({ type: event.type });
    const mailOutcome = mailOutcomeOf(event);
    if (mailOutcome !== undefined) mail.inc({ kind: String(event.detail?.['kind'] ?? 'unknown'), outcome: mailOutcome });
  });
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
  const collect = options.clusterWorker === true ? clusterMetricsClient(registry) : () => registry.metrics();
  app.get(METRICS_PATH, { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    void reply.type(registry.contentType);
    return collect();
  });
  return registry;
}
