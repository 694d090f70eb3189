/**
 * Sesame's whole configuration, composed from each module's fragment (its variables, defaults per profile, the
 * options it builds and what it refuses): `loadConfig(process.env)` reads and checks everything once at start-up.
 * @module
 */
import { serverConfig } from './bin/config.js';
import { composeConfig, type ComposedConfig, type LoadOptions } from './kernel/config/compose.js';
import { secretsConfig } from './kernel/secrets.js';
import { databaseConfig, logConfig, sweeperConfig, tokensConfig } from './kernel/settings.js';
import { auditConfig } from './modules/audit/index.js';
import { emailConfig } from './modules/email/index.js';
import { mailConfig } from './modules/mail/index.js';
import { passwordConfig } from './modules/password/index.js';
import { rateLimitsConfig } from './modules/rate-limits/index.js';
import { sessionsConfig } from './modules/sessions/index.js';
import { signupConfig } from './modules/signup/index.js';
import { adminConfig } from './surfaces/admin/config.js';
import { apiConfig } from './surfaces/api/config.js';
import { opsConfig } from './surfaces/ops/config.js';
import { pagesConfig } from './surfaces/pages/config.js';
import type { SesameSettings } from './settings-types.js';

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
  signup: signupConfig,
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

/** The name of every setting, as the fragments declare them (`SESAME_PROFILE` included). */
export type SettingName = 'SESAME_PROFILE' | { [K in keyof typeof FRAGMENTS]: keyof (typeof FRAGMENTS)[K]['env'] & string }[keyof typeof FRAGMENTS];

/** True when two unions hold the same names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Fails to compile when the generated {@link SesameSettings} (from README) and the fragments name different settings. */
export const SETTINGS_TYPE_MATCHES_FRAGMENTS: SameNames<SettingName, keyof SesameSettings> = true;

/**
 * Reads and validates the settings from an environment (default `process.env`) or, with `strict`, a host's settings
 * object; throws `ConfigError` listing every bad one, unknown names included (see {@link LoadOptions}).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> | SesameSettings = process.env, options: LoadOptions = {}): Config {
  return loader.load(env as Readonly<Record<string, string | undefined>>, options);
}

/** Environment variables that look like misspelt settings (`DATABASE_URI`), as "did you mean" warnings. */
export function settingNearMisses(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return loader.nearMisses(env);
}

export { ConfigError, type LoadOptions } from './kernel/config/compose.js';
export type { SesameSettings } from './settings-types.js';
export type { LogLevel } from './kernel/logging.js';
