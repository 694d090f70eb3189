/**
 * Sesame as a library: the Fastify plugin, the auth and storage layers, the errors and the types, for a Node application to mount.
 * @packageDocumentation
 */
export { sesamePlugin, requireSession, sesameErrorHandler, SESSION_COOKIE, HOST_SESSION_COOKIE, type SesamePluginOptions } from './http/index.js';
export { Auth, BcryptHasher, startExpirySweeper, toPublicUser, type AuthOptions, type PasswordHasher } from './auth/index.js';
export { PasswordPolicy, type PasswordPolicyOptions } from './auth/password-policy.js';
export { StrengthEstimator, type StrengthEstimatorOptions } from './auth/strength-estimator.js';
export { DB, openStorage, engineOf, type Storage, type StorageOptions, type Engine, type UserFilter } from './db/index.js';
export { RateLimits, type RateLimitPolicy, type LimitedAction } from './limits/rate-limits.js';
export type { LimiterStore } from './limits/limiter-factory.js';
export { webhookSender, type ResetTokenSender } from './delivery/reset-webhook.js';
export { buildApp, type AppDeps } from './app.js';
export { createService, type ServiceOptions } from './service.js';
export { loadConfig, ConfigError, type Config, type LogLevel, type RateLimitConfig } from './config/config.js';
export {
  SesameError,
  NoResultFoundError,
  UnknownColumnError,
  UserAlreadyExistsError,
  InvalidResetTokenError,
  WeakPasswordError,
  ServerBusyError,
} from './errors.js';
export type { User, PublicUser, UserChanges } from './user/index.js';
