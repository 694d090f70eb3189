/**
 * The sessions module's public face: the session rules, their store port and its Kysely implementation, the cookie,
 * the routes and `requireSession` for a host's own routes. Other modules import from here only.
 * @module
 */
export { sessionsMigrations } from './migrations.js';
export { sessionsConfig, type SessionsConfig } from './config.js';
export { KyselySessionStore, NO_IDLE_CUTOFF, type SessionStore, type SessionUser, type StoredSession } from './store.js';
export { SessionService, sessionHandle, type ValidSession, type Reauthenticate, type RevokeOutcome, type LogoutOutcome, type SessionServiceDeps } from './service.js';
export type { SessionsTable, SessionSummary, SessionEndReason, SessionDevice } from './schema.js';
export { SessionError, type SessionsErrorCode } from './errors.js';
export type { SessionsEvent } from './events.js';
export { SESSION_COOKIE, HOST_SESSION_COOKIE, readSessionId, setSessionCookie, clearSessionCookie, type SessionCookieSettings } from './http/cookie.js';
export { checkedSession } from './http/checked-session.js';
export { sessionsRoutes } from './http/routes.js';
export type { SessionRoutesDeps } from './http/deps.js';
