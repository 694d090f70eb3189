/**
 * Sesame's whole configuration, composed from each module's fragment (its variables, defaults per profile, the
 * options it builds and what it refuses): `loadConfig(process.env)` reads and checks everything once at start-up.
 * @module
 */
import { serverConfig } from './bin/config.js';
import { composeConfig, type ComposedConfig } from './kernel/config/compose.js';
import { secretsConfig } from './kernel/secrets.js';
import { databaseConfig, logConfig, sweeperConfig, tokensConfig } from './kernel/settings.js';
import { auditConfig } from './modules/audit/index.js';
import { emailConfig } from './modules/email/index.js';
import { mailConfig } from './modules/mail/index.js';
import { passwordConfig } from './modules/password/index.js';
import { rateLimitsConfig } from './modules/rate-limits/index.js';
import { sessionsConfig } from './modules/sessions/index.js';
import { adminConfig } from './surfaces/admin/config.js';
import { apiConfig } from './surfaces/api/config.js';
import { opsConfig } from './surfaces/ops/config.js';
import { pagesConfig } from './surfaces/pages/config.js';

/** Every fragment, under the key its options appear at in {@link Config}. */
const FRAGMENTS = {
  server: serverConfig,
  log: logConfig,
  database: databaseConfig,
  secrets: secretsConfig,
  tokens: tokensConfig,
  sweeper: sweeperConfig,
  sessions: sessionsConfig,
  password: passwordConfig,
  mail: mailConfig,
  email: emailConfig,
  rateLimits: rateLimitsConfig,
  audit: auditConfig,
  api: apiConfig,
  ops: opsConfig,
  admin: adminConfig,
  pages: pagesConfig,
};

/** Every setting Sesame reads, already parsed and checked, nested by the module that owns it; README.md lists them. */
export type Config = ComposedConfig<typeof FRAGMENTS>;

const loader = composeConfig(FRAGMENTS);

/** Every environment variable Sesame reads (for the README test, and for tests that strip a developer's shell). */
export const SETTING_NAMES: readonly string[] = loader.settingNames;

/** Reads and validates the settings from an environment (default `process.env`); throws `ConfigError` listing every bad one. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  return loader.load(env);
}

export { ConfigError } from './kernel/config/compose.js';
export type { LogLevel } from './kernel/logging.js';
