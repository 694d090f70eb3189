/**
 * `sesame-auth/server`: what a host needs to build and run Sesame itself rather than through the plugin: `createSesame`
 * (every service over one database), the configuration loader, storage, the whole standalone app, the seed facades
 * the building blocks a host may hand in (hasher, rate limits, reset-token delivery), and what a receiver
 * of Sesame's signed webhook verifies calls with.
 * @packageDocumentation
 */
export { createSesame, openStorage, migrationSql, SchemaVersionError, type MigrationSqlOptions, type Sesame, type SesameOptions, type PasswordFlows } from './sesame.js';
export { loadConfig, ConfigError, SETTING_NAMES, settingNearMisses, type Config, type LoadOptions, type LogLevel, type SesameSettings } from './config.js';
export { buildServer } from './bin/app.js';
export { Auth, DB, type AuthServices } from './seed/index.js';
export { SessionService, type SessionSummary } from './modules/sessions/index.js';
export { BcryptHasher, PasswordPolicy, StrengthEstimator, webhookSender, type PasswordHasher, type PasswordPolicyOptions, type ResetTokenSender } from './modules/password/index.js';
export { RateLimits, type RateLimitPolicy, type LimitedAction, type LimiterStore, type RateLimitConfig } from './modules/rate-limits/index.js';
export { signWebhook, verifyWebhook, webhookSecret } from './modules/mail/index.js';
export { EmailAddresses, type Confirmed, type Proof } from './modules/email/index.js';
export { engineOf, type Storage, type StorageOptions, type Engine } from './kernel/database/storage.js';
export * from './index.js';
