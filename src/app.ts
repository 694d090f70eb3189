/**
 * The standalone application: a Fastify server with the Sesame plugin at `/`, built from handed-in parts so tests build it in-process.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Auth } from './auth/auth.js';
import type { Config } from './config/config.js';
import type { ResetTokenSender } from './delivery/reset-webhook.js';
import { sesameErrorHandler } from './http/error-handler.js';
import { sesamePlugin } from './http/plugin.js';
import { clientErrorHandler } from './http/client-error.js';
import { registerMetrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { SESAME_VERSION } from './version.js';
import { healthRoutes } from './http/routes/health.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { RateLimits } from './limits/rate-limits.js';
import { loggerOptions } from './logging.js';

/** What {@link buildApp} needs. */
export interface AppDeps {
  /** The auth layer, already wired to a database. */
  readonly auth: Auth;
  /** The validated settings. */
  readonly config: Config;
  /** Brute-force limits; omitted means none. */
  readonly limits?: RateLimits;
  /** Out-of-band reset-token delivery; omitted returns tokens in the response (seed behaviour). */
  readonly sendResetToken?: ResetTokenSender;
  /** Where log lines go (default stdout); tests pass a capture stream. */
  readonly logStream?: NodeJS.WritableStream;
}

/** Builds (but does not start) the standalone server. */
export async function buildApp({ auth, config, limits, sendResetToken, logStream }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, logStream),
    // Behind a load balancer the client's address is in X-Forwarded-For; only trusted when configured, or any
    // client could pick its own rate-limit key (see config/trust-proxy.ts for why a hop count is not accepted).
    trustProxy: typeof config.trustProxy === 'boolean' ? config.trustProxy : [...config.trustProxy],
    // Fastify's own 503 while closing would bypass the security-header hooks; a closing server stops accepting
    // connections anyway, and requests already on open connections are served normally until they finish.
    return503OnClosing: false,
    clientErrorHandler,
  });
  // At the root, so the 404s and /health carry the headers too (OWASP ASVS 3.4.1); unparsable requests get them
  // from clientErrorHandler.
  registerSecurityHeaders(app);
  app.setErrorHandler(sesameErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ message: `no route for ${request.method} ${request.url.split('?')[0] ?? ''}` });
  });
  await registerOpenApi(app, { version: SESAME_VERSION, cookieName: config.cookieName });
  if (config.metricsEnabled) registerMetrics(app);
  healthRoutes(app, auth);
  await app.register(sesamePlugin, {
    auth,
    cookieSecure: config.cookieSecure,
    cookieName: config.cookieName,
    securityHeaders: false,
    csrfProtection: config.csrfProtection,
    trustedOrigins: config.trustedOrigins,
    ...(limits === undefined ? {} : { limits }),
    ...(sendResetToken === undefined ? {} : { sendResetToken }),
  });
  return app;
}
