/**
 * `sesame-auth`: the Fastify plugin that mounts Sesame in a host application, `requireSession` for the host's own routes,
 * the errors and the types. Building an instance by hand (`createSesame`, `loadConfig`, storage) is `sesame-auth/server`.
 * @packageDocumentation
 */
export { sesamePlugin, PLUGIN_TABLE_PREFIX, type SesamePluginOptions, type SesameProfile } from './surfaces/api/plugin.js';
export type { SesameSettings } from './settings-types.js';
export { sesameErrorHandler } from './surfaces/api/error-handler.js';
export { SESSION_COOKIE, HOST_SESSION_COOKIE, type ValidSession, type SessionEndReason } from './modules/sessions/index.js';
export { requireSession, optionalSession, sessionUser, type SessionChecker } from './surfaces/api/require-session.js';
export { API_ERRORS, ERROR_HEADER, type ApiErrorCode } from './surfaces/api/errors.js';
export { SesameError, ServerBusyError } from './kernel/errors.js';
export { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError, type User, type PublicUser, type UserChanges, type UserFilter } from './modules/users/index.js';
export { WeakPasswordError, InvalidResetTokenError, PasswordCheckBusyError } from './modules/password/index.js';
export type { Sesame } from './sesame.js';
