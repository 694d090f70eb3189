/**
 * The Sesame Fastify plugin: the seven seed routes, mountable at `/` (standalone) or under any prefix of a host app.
 * @module
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Auth } from '../auth/auth.js';
import type { ResetTokenSender } from '../delivery/reset-webhook.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { crossSiteGuard } from './csrf.js';
import { sesameErrorHandler } from './error-handler.js';
import { parseForm } from './form-parser.js';
import { registerSecurityHeaders } from './security-headers.js';
import { SESSION_COOKIE } from './session-cookie.js';
import type { RouteDeps } from './routes/deps.js';
import { homeRoutes } from './routes/home.js';
import { passwordRoutes } from './routes/password.js';
import { profileRoutes } from './routes/profile.js';
import { resetPasswordRoutes } from './routes/reset-password.js';
import { sessionListRoutes } from './routes/session-list.js';
import { sessionRoutes } from './routes/sessions.js';
import { userRoutes } from './routes/users.js';
import { useStrictValidation } from './validation.js';

/** Options of {@link sesamePlugin}: its dependencies, handed in. */
export interface SesamePluginOptions {
  /** The auth layer the routes call. */
  readonly auth: Auth;
  /** Mark the session cookie `Secure` (HTTPS only); default false. */
  readonly cookieSecure?: boolean;
  /** Session cookie name; default `session_id` (the seed's), `__Host-session_id` in production. */
  readonly cookieName?: string;
  /** Add helmet's headers and `Cache-Control: no-store` in the plugin's scope (default true; off when the host sets them for everything). */
  readonly securityHeaders?: boolean;
  /** Largest request body in bytes; default 16 KiB, ample for a form of three short fields. */
  readonly bodyLimit?: number;
  /** Brute-force limits (see `RateLimits`); omitted means no limits. */
  readonly limits?: RateLimits;
  /** Refuse cross-site state-changing requests (default true). */
  readonly csrfProtection?: boolean;
  /** Origins besides the service's own allowed to send state-changing requests (e.g. a front end on another host). */
  readonly trustedOrigins?: readonly string[];
  /** Deliver reset tokens out of band instead of in the response body (production). */
  readonly sendResetToken?: ResetTokenSender;
}

/**
 * Registers Sesame's routes in an encapsulated scope: its validator, error handler, headers and body parsers do not
 * leak into the host application, and parsers are only added where the host has not registered its own.
 */
export const sesamePlugin: FastifyPluginAsync<SesamePluginOptions> = async (app: FastifyInstance, options) => {
  const bodyLimit = options.bodyLimit ?? 16 * 1024;
  // No cookie plugin: the one cookie Sesame reads is parsed only on the routes that need it (readSessionId), and the
  // one it writes is serialised by `cookie` directly; a host's own @fastify/cookie is used when present.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit, parser: parseForm });
  // Only forms and JSON carry credentials; Fastify's built-in text/plain parser would turn a typo'd client into a
  // confusing validation error instead of the 415 that names the real problem.
  app.removeContentTypeParser('text/plain');
  if (options.securityHeaders ?? true) registerSecurityHeaders(app);
  useStrictValidation(app);
  app.setErrorHandler(sesameErrorHandler);
  if (options.csrfProtection ?? true) app.addHook('onRequest', crossSiteGuard(options.trustedOrigins ?? []));
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimit;
  });

  const deps: RouteDeps = {
    auth: options.auth,
    cookie: { name: options.cookieName ?? SESSION_COOKIE, secure: options.cookieSecure ?? false, ttlMs: options.auth.sessionTtlMs },
    limits: options.limits,
    sendResetToken: options.sendResetToken,
  };
  homeRoutes(app);
  userRoutes(app, deps);
  sessionRoutes(app, deps);
  sessionListRoutes(app, deps);
  profileRoutes(app, deps);
  resetPasswordRoutes(app, deps);
  passwordRoutes(app, deps);
};
