/**
 * The Sesame Fastify plugin: the seven seed routes, mountable at `/` (standalone) or under any prefix of a host app.
 * @module
 */
import cookiePlugin from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Auth } from '../auth/auth.js';
import { sesameErrorHandler } from './error-handler.js';
import type { RouteDeps } from './routes/deps.js';
import { homeRoutes } from './routes/home.js';
import { profileRoutes } from './routes/profile.js';
import { resetPasswordRoutes } from './routes/reset-password.js';
import { sessionRoutes } from './routes/sessions.js';
import { userRoutes } from './routes/users.js';
import { useStrictValidation } from './validation.js';

/** Options of {@link sesamePlugin}: its dependencies, handed in. */
export interface SesamePluginOptions {
  /** The auth layer the routes call. */
  readonly auth: Auth;
  /** Mark the session cookie `Secure` (HTTPS only); default false. */
  readonly cookieSecure?: boolean;
  /** Largest request body in bytes; default 16 KiB, ample for a form of three short fields. */
  readonly bodyLimit?: number;
}

/**
 * Registers Sesame's routes in an encapsulated scope: its validator, error handler and body parsers do not leak
 * into the host application, and are only added where the host has not registered its own.
 */
export const sesamePlugin: FastifyPluginAsync<SesamePluginOptions> = async (app: FastifyInstance, options) => {
  if (!app.hasRequestDecorator('cookies')) await app.register(cookiePlugin);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    await app.register(formbody, { bodyLimit: options.bodyLimit ?? 16 * 1024 });
  }
  // Only forms and JSON carry credentials; Fastify's built-in text/plain parser would turn a typo'd client into a
  // confusing validation error instead of the 415 that names the real problem.
  app.removeContentTypeParser('text/plain');
  useStrictValidation(app);
  app.setErrorHandler(sesameErrorHandler);
  // Every Sesame reply is about one user's account or session: no shared cache may keep it.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });

  const deps: RouteDeps = {
    auth: options.auth,
    cookie: { secure: options.cookieSecure ?? false, ttlMs: options.auth.sessionTtlMs },
  };
  const bodyLimit = options.bodyLimit ?? 16 * 1024;
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimit;
  });
  homeRoutes(app);
  userRoutes(app, deps);
  sessionRoutes(app, deps);
  profileRoutes(app, deps);
  resetPasswordRoutes(app, deps);
};
