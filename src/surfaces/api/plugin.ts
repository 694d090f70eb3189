/**
 * The JSON API surface as a Fastify plugin: the seed's routes and the sessions module's additions, mountable at `/`
 * (standalone) or under any prefix of a host app, over a Sesame instance's services.
 * @module
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { passwordRoutes } from '../../modules/password/index.js';
import { rateLimitRouteHook } from '../../modules/rate-limits/index.js';
import { sessionsRoutes, type SessionCookieSettings } from '../../modules/sessions/index.js';
import type { AuthEvent, Sesame } from '../../sesame.js';
import { crossSiteGuard } from './csrf.js';
import { sesameErrorHandler } from './error-handler.js';
import { parseForm } from './form-parser.js';
import { homeRoutes } from './home.js';
import { useStrictJson } from './json-parser.js';
import { useSeedReasonPhrases } from './reason-phrases.js';
import { requireSession } from './require-session.js';
import { registerSecurityHeaders } from './security-headers.js';
import { useStrictValidation } from './validation.js';

/** The largest request body the API reads by default: 16 KiB, ample for a form of three short fields. */
export const API_BODY_LIMIT = 16 * 1024;

/** Options of {@link sesamePlugin}. */
export interface SesamePluginOptions {
  /** The services the routes call, with the settings they were built from (see `createSesame`). */
  readonly sesame: Sesame;
  /** Add helmet's headers and `Cache-Control: no-store` in the plugin's scope (default true; off when the host sets them for everything). */
  readonly securityHeaders?: boolean;
  /** Largest request body in bytes; default 16 KiB, ample for a form of three short fields. */
  readonly bodyLimit?: number;
  /**
   * Send the seed's (Werkzeug's) reason phrases on the status line, `401 UNAUTHORIZED` (default true). The standalone
   * server turns it off here because its response class already does it for every reply.
   */
  readonly seedReasonPhrases?: boolean;
}

/**
 * Registers Sesame's routes in an encapsulated scope: its validator, error handler, headers and body parsers do not
 * leak into the host application, and parsers are only added where the host has not registered its own.
 */
export const sesamePlugin: FastifyPluginAsync<SesamePluginOptions> = async (app: FastifyInstance, options) => {
  const { sesame } = options;
  const { config } = sesame;
  const bodyLimit = options.bodyLimit ?? API_BODY_LIMIT;
  // No cookie plugin: the one cookie Sesame reads is parsed only on the routes that need it (readSessionId), and the
  // one it writes is serialised by `cookie` directly; a host's own @fastify/cookie is used when present.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit, parser: parseForm });
  // Only forms and JSON carry credentials; Fastify's built-in text/plain parser would turn a typo'd client into a
  // confusing validation error instead of the 415 that names the real problem.
  app.removeContentTypeParser('text/plain');
  useStrictJson(app, bodyLimit);
  if (options.securityHeaders ?? true) registerSecurityHeaders(app);
  if (options.seedReasonPhrases ?? true) useSeedReasonPhrases(app);
  useStrictValidation(app);
  app.setErrorHandler(sesameErrorHandler);
  const publish = (event: AuthEvent): void => sesame.events.publish(event);
  if (config.api.csrfProtection) app.addHook('onRequest', crossSiteGuard(config.api.trustedOrigins, config.api.publicUrl?.origin, publish));
  // Route declarations, attached before any route is added: the session check first (so a limit can count the
  // session's account), then the rate limit; each route says what it needs in `config`, no handler calls them.
  const checkSession = requireSession(sesame);
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimit;
    if (route.config?.session === 'required') route.preHandler = [checkSession, ...(route.preHandler === undefined ? [] : [route.preHandler].flat())];
  });
  app.addHook('onRoute', rateLimitRouteHook(sesame.rateLimits, publish));

  const cookie: SessionCookieSettings = { ...config.sessions.cookie, ttlMs: config.sessions.ttlMs };
  homeRoutes(app);
  passwordRoutes(app, { ...sesame.password, sendResetToken: sesame.password.resetDelivery, cookie });
  sessionsRoutes(app, { sessions: sesame.sessions, cookie });
};
