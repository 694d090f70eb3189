/**
 * Sesame as a library: the Fastify plugin, the auth and storage layers, the errors and the types, for a Node application to mount.
 * @packageDocumentation
 */
export { sesamePlugin, requireSession, sesameErrorHandler, SESSION_COOKIE, type SesamePluginOptions } from './http/index.js';
export { Auth, BcryptHasher, startExpirySweeper, toPublicUser, type AuthOptions, type PasswordHasher } from './auth/index.js';
export { DB, openStorage, engineOf, type Storage, type StorageOptions, type Engine, type UserFilter } from './db/index.js';
export { buildApp, type AppDeps } from './app.js';
export { loadConfig, ConfigError, type Config, type LogLevel } from './config/config.js';
export { SesameError, NoResultFoundError, UnknownColumnError, UserAlreadyExistsError, InvalidResetTokenError } from './errors.js';
export type { User, PublicUser, UserChanges } from './user/index.js';
