/**
 * The JSON API surface as a Fastify plugin: the seed's routes and the sessions module's additions, mountable at `/`
 * (standalone) or under any prefix of a host app, over a Sesame instance the plugin builds from a required profile
 * (or the host hands in).
 * @module
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { accountsRoutes } from '../../modules/accounts/index.js';
import { passwordRoutes } from '../../modules/password/index.js';
import { rateLimitRouteHook } from '../../modules/rate-limits/index.js';
import { sessionsRoutes, type SessionCookieSettings } from '../../modules/sessions/index.js';
import { signupRoutes } from '../../modules/signup/index.js';
import { ConfigError, loadConfig, type Config, type SesameSettings } from '../../config.js';
import { mailLinkBase, normalizedPrefix } from './config.js';
import type { Profile } from '../../kernel/config/profile.js';
import type { SesameLogger } from '../../kernel/logging.js';
import { createSesame, type AuthEvent, type Sesame } from '../../sesame.js';
import { registerCors } from './cors.js';
import { standaloneOnlyProblems } from './host-settings.js';
import { pageRoutes } from '../pages/routes.js';
import { emailRoutes } from '../../modules/email/index.js';
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

/** The settings profile a host must choose: each gives the standalone server's defaults and refusals. */
export type SesameProfile = Profile;

/** Options of {@link sesamePlugin}. */
export interface SesamePluginOptions {
  /**
   * Required, so a host never gets the development defaults by accident: `production` turns every protection on
   * (long passwords checked against breach lists, `Secure` `__Host-` cookie, strict limits) and refuses unsafe
   * settings at start-up, as the standalone server does; `development` keeps the seed's own flow working.
   */
  readonly profile: SesameProfile;
  /**
   * Settings as environment-style strings (README's table), e.g. `{ DATABASE_URL, SECRET_KEY }`; unset ones take the
   * profile's default. Typed, so an editor completes and documents each name; an unknown name (a typo) and a setting
   * only the standalone server reads (`PORT`, `METRICS_ENABLED`, ...) are refused at start-up, naming what to use.
   */
  readonly settings?: SesameSettings;
  /**
   * An instance the host built itself (`createSesame` from `sesame-auth/server`), which it then closes; its profile must
   * be `profile`. Without it the plugin builds one from `settings` and closes it with the host.
   */
  readonly sesame?: Sesame;
  /** `false` switches the rate limits off (default on, counted in memory unless the settings name a shared store). */
  readonly limits?: false;
  /** `false` leaves expired sessions, tokens and counters in the database (default: the sweeper deletes them). */
  readonly sweeper?: false;
  /**
   * Prefix of every table Sesame creates, so a host's own `users` or `kysely_migration` never collide with Sesame's
   * (default `sesame_`; the standalone server's default is none). Ignored when `sesame` is given.
   */
  readonly tablePrefix?: string;
  /** `false` when the host applies Sesame's migrations itself (see `migrationSql`); start-up then only checks them. */
  readonly migrate?: boolean;
  /** Mount point of the routes (Fastify's own `prefix` option, read here because the plugin also decorates the host). */
  readonly prefix?: string;
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

declare module 'fastify' {
  /** What the plugin adds to the host application. */
  interface FastifyInstance {
    /** The Sesame instance behind the routes, for `requireSession(app.sesame)` on the host's own routes. */
    sesame: Sesame;
  }
}

/** The plugin's table prefix when the host names none. */
export const PLUGIN_TABLE_PREFIX = 'sesame_';

/** A start-up refusal of the plugin's options, naming the option. */
function refuse(message: string): never {
  throw new Error(`sesamePlugin: ${message}`);
}

/** Where mailed links must point for routes mounted at `prefix`; a `PUBLIC_URL` that cannot say so is refused, naming the option. */
function linkBaseFor(config: Config, prefix: string | undefined): string {
  try {
    return mailLinkBase(config.api.publicUrl, prefix, `http://${config.server.host}:${config.server.port}`);
  } catch (error) {
    if (error instanceof ConfigError) refuse(error.problems.join('; '));
    throw error;
  }
}

/** The instance the routes run on: the host's own, checked against `profile`, or one built from the options. */
async function instanceFor(host: FastifyInstance, options: SesamePluginOptions): Promise<{ sesame: Sesame; owned: boolean }> {
  const profile = (options as { profile?: unknown }).profile;
  if (profile !== 'development' && profile !== 'production') {
    refuse(`the profile option is required: 'development' or 'production' (got ${JSON.stringify(profile) ?? 'nothing'})`);
  }
  if (options.sesame !== undefined) {
    const given = options.sesame;
    if (given.config.profile !== profile) refuse(`profile '${profile}' does not match the given instance's profile '${given.config.profile}'`);
    // Its links were fixed when it was built; they must reach the pages where this plugin mounts them.
    const wanted = linkBaseFor(given.config, options.prefix);
    if (given.linkBase !== wanted) {
      refuse(
        `the given instance mails links to ${given.linkBase}, but its pages are at ${wanted}: build it with ` +
          `createSesame(config, { mountPrefix: '${normalizedPrefix(options.prefix)}' }) or set PUBLIC_URL to where the pages are`,
      );
    }
    return { sesame: given, owned: false };
  }
  const settings: Readonly<Record<string, string | undefined>> = options.settings ?? {};
  const standalone = standaloneOnlyProblems(settings, 'plugin');
  if (standalone.length > 0) throw new ConfigError(standalone);
  const named = settings['SESAME_PROFILE'];
  if (named !== undefined && named !== '' && named !== profile) refuse(`settings.SESAME_PROFILE '${named}' contradicts the profile option '${profile}'`);
  const config = loadConfig({ ...settings, SESAME_PROFILE: profile, ...(options.limits === false ? { RATE_LIMIT_ENABLED: 'false' } : {}) }, { strict: true });
  linkBaseFor(config, options.prefix);
  const sesame = await createSesame(config, {
    mountPrefix: normalizedPrefix(options.prefix),
    logger: host.log as unknown as SesameLogger,
    sweeper: options.sweeper !== false,
    // An explicit option wins, then DATABASE_TABLE_PREFIX in the settings, then the plugin's own default.
    tablePrefix: options.tablePrefix ?? (settings['DATABASE_TABLE_PREFIX'] === undefined ? PLUGIN_TABLE_PREFIX : config.database.tablePrefix),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
  });
  return { sesame, owned: true };
}

/**
 * Mounts Sesame in a host application: builds (or takes) the instance, decorates the host with it as `app.sesame`,
 * and registers the routes in an encapsulated scope under `prefix`, whose validator, error handler, headers and body
 * parsers do not leak into the host. The plugin itself is not encapsulated (Fastify's `skip-override`), which is
 * what lets it decorate the host; the routes' scope is.
 */
export const sesamePlugin: FastifyPluginAsync<SesamePluginOptions> = async (host: FastifyInstance, options) => {
  const { sesame, owned } = await instanceFor(host, options);
  host.decorate('sesame', sesame);
  if (owned) host.addHook('onClose', () => sesame.close());
  await host.register(apiRoutes, { ...options, sesame, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) });
};
(sesamePlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(sesamePlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'sesame';

/** The routes' encapsulated scope. */
const apiRoutes: FastifyPluginAsync<SesamePluginOptions & { readonly sesame: Sesame }> = async (app: FastifyInstance, options) => {
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
  // Before the guard and the routes, so every reply to a listed origin carries the grant, errors included.
  await registerCors(app, config.api.trustedOrigins);
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
  signupRoutes(app, { signup: sesame.signup });
  // The hosted pages; inside this scope, so the form parser, the limits and the cross-site guard apply.
  if (config.pages.enabled) {
    pageRoutes(app, {
      pages: config.pages,
      registration: sesame.password.registration,
      signup: sesame.signup,
      login: sesame.password.login,
      reset: sesame.password.reset,
      change: sesame.password.change,
      email: sesame.email,
      accounts: sesame.accounts,
      sessions: sesame.sessions,
      keys: sesame.keys,
      cookie,
      requireVerification: config.email.requireVerification,
      passwordMinLength: config.password.policy.minLength,
      returnOrigins: [...config.api.trustedOrigins, ...(config.api.publicUrl === undefined ? [] : [config.api.publicUrl.origin])],
    });
  }
  emailRoutes(app, { email: sesame.email });
  sessionsRoutes(app, { sessions: sesame.sessions, cookie });
  accountsRoutes(app, { accounts: sesame.accounts, cookie });
};
