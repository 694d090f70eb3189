/**
 * Sesame as a library: `createSesame` (every service over one database), the Fastify plugin, `requireSession`, the
 * seed facades, the errors and the types, for a Node application to mount.
 * @packageDocumentation
 */
export { createSesame, openStorage, type Sesame, type SesameOptions, type PasswordFlows } from './sesame.js';
export { loadConfig, ConfigError, SETTING_NAMES, type Config, type LogLevel } from './config.js';
export { sesamePlugin, type SesamePluginOptions } from './surfaces/api/plugin.js';
export { sesameErrorHandler } from './surfaces/api/error-handler.js';
export { buildServer } from './bin/app.js';
export { Auth, DB, type AuthServices } from './seed/index.js';
export { SESSION_COOKIE, HOST_SESSION_COOKIE, SessionService, type ValidSession, type SessionSummary, type SessionEndReason } from './modules/sessions/index.js';
export { requireSession, type SessionChecker } from './surfaces/api/require-session.js';
export { API_ERRORS, ERROR_HEADER, type ApiErrorCode } from './surfaces/api/errors.js';
export { BcryptHasher, PasswordPolicy, StrengthEstimator, webhookSender, type PasswordHasher, type PasswordPolicyOptions, type ResetTokenSender } from './modules/password/index.js';
export { RateLimits, type RateLimitPolicy, type LimitedAction, type LimiterStore, type RateLimitConfig } from './modules/rate-limits/index.js';
export { engineOf, type Storage, type StorageOptions, type Engine } from './kernel/database/storage.js';
export { SesameError, ServerBusyError } from './kernel/errors.js';
export { NoResultFoundError, UnknownColumnError, UserAlreadyExistsError, type User, type PublicUser, type UserChanges, type UserFilter } from './modules/users/index.js';
export { WeakPasswordError, InvalidResetTokenError, PasswordCheckBusyError } from './modules/password/index.js';
