/**
 * Settings from environment variables, validated once at start-up so a bad value stops the service with a clear message.
 * @module
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { RateLimitPolicy } from '../limits/rate-limits.js';
import { parseDuration } from './duration.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
import { PROFILE_DEFAULTS, unsafeProductionSettings, type Profile } from './profile.js';

/** Pino's level names, plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where rate-limit counters live: one process's memory, Redis, or the service's own database. */
export type RateLimitStoreKind = 'memory' | 'redis' | 'database';

/** Every setting Sesame reads, already parsed and checked; README.md lists them with their defaults. */
export interface Config {
  readonly profile: Profile;
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly bcryptCost: number;
  readonly sessionTtlMs: number;
  readonly resetTokenTtlMs: number;
  readonly logLevel: LogLevel;
  readonly cookieSecure: boolean;
  readonly cookieName: string;
  /** `uuid` (the seed's 36-character shape, 122 random bits) or `random` (256 bits, base64url). */
  readonly tokenFormat: 'uuid' | 'random';
  readonly sweepIntervalMs: number;
  readonly workers: number;
  /** Origins allowed to send state-changing requests; empty means only the service's own origin. */
  readonly trustedOrigins: readonly string[];
  readonly csrfProtection: boolean;
  /** A session unused this long ends; 0 = no inactivity timeout. */
  readonly sessionIdleTimeoutMs: number;
  /** Serve Prometheus metrics at `GET /metrics`. */
  readonly metricsEnabled: boolean;
  /** Whose `X-Forwarded-*` headers to believe: nobody, every peer, or the listed proxies (see {@link parseTrustProxy}). */
  readonly trustProxy: TrustProxy;
  readonly rateLimit: RateLimitConfig;
  readonly redisUrl: string | undefined;
  readonly passwordMinLength: number;
  readonly passwordCheckCommon: boolean;
  /** Least zxcvbn score (0 to 4) a new password needs; 0 = no estimate. */
  readonly passwordMinScore: number;
  /** Worker threads that run zxcvbn, so scoring a new password never blocks the event loop. */
  readonly passwordCheckThreads: number;
  /** New passwords waiting for a scoring thread at most; past it registration answers 429. */
  readonly passwordCheckQueue: number;
  readonly resetTokenDelivery: 'response' | 'webhook';
  readonly resetWebhookUrl: string | undefined;
}

/** Rate-limit settings: the policy's counts and windows (see `RateLimitPolicy`), whether limits run, and where counters live. */
export interface RateLimitConfig extends RateLimitPolicy {
  readonly enabled: boolean;
  readonly store: RateLimitStoreKind;
}

/** Raised for an environment that cannot be turned into a {@link Config}; its message lists every bad setting. */
export class ConfigError extends Error {
  /** Builds the error from the list of problems, one line each. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A zod field for a duration setting, with a message naming the accepted forms. */
function duration(name: string, fallback?: string) {
  return z
    .string()
    .default(fallback ?? '')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a positive duration like 3600, 90s, 15m, 12h or 7d` });
        return z.NEVER;
      }
      return ms;
    });
}

/** A zod field for a whole number in a range, with a message naming the range. */
function integer(name: string, min: number, max: number, fallback?: number) {
  return z
    .string()
    .default(String(fallback ?? ''))
    .transform((text, ctx) => {
      const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A zod field for a true/false setting. */
function boolean(name: string) {
  return z.string().transform((text, ctx) => {
    const value = text.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
    return z.NEVER;
  });
}

/** A zod field for one of a fixed set of words. */
function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, { message: `${name} must be one of ${values.join(', ')}` });
}

const envSchema = z.object({
  SESAME_PROFILE: oneOf('SESAME_PROFILE', ['development', 'production']),
  PORT: integer('PORT', 0, 65535, 5000),
  HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/sesame.db')
    .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url), {
      message: 'DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DB',
    }),
  BCRYPT_COST: integer('BCRYPT_COST', 4, 31, 12),
  SESSION_TTL: duration('SESSION_TTL', '7d'),
  SESSION_IDLE_TIMEOUT: z
    .string()
    .default('off')
    .transform((text, ctx) => {
      if (['off', '0'].includes(text.trim().toLowerCase())) return 0;
      const ms = parseDuration(text);
      if (ms === null || ms < 60_000) {
        ctx.addIssue({ code: 'custom', message: 'SESSION_IDLE_TIMEOUT must be off or a duration of at least 1m, like 30m or 1h' });
        return z.NEVER;
      }
      return ms;
    }),
  RESET_TOKEN_TTL: duration('RESET_TOKEN_TTL', '30m'),
  LOG_LEVEL: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  COOKIE_SECURE: boolean('COOKIE_SECURE'),
  COOKIE_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'COOKIE_NAME may hold letters, digits, _ . and - only'),
  TOKEN_FORMAT: oneOf('TOKEN_FORMAT', ['uuid', 'random']),
  SWEEP_INTERVAL: duration('SWEEP_INTERVAL', '10m'),
  WORKERS: z
    .string()
    .default('1')
    .transform((text, ctx) => {
      if (text.trim() === 'auto') return availableParallelism();
      const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(value) || value < 1 || value > 256) {
        ctx.addIssue({ code: 'custom', message: 'WORKERS must be auto or a whole number from 1 to 256' });
        return z.NEVER;
      }
      return value;
    }),
  TRUSTED_ORIGINS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const origins = text.split(',').map((o) => o.trim()).filter((o) => o !== '');
      for (const origin of origins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
          ctx.addIssue({ code: 'custom', message: `TRUSTED_ORIGINS entries must look like https://app.example.com (no path), got ${origin}` });
        }
      }
      return origins;
    }),
  CSRF_PROTECTION: boolean('CSRF_PROTECTION'),
  METRICS_ENABLED: boolean('METRICS_ENABLED'),
  TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  RATE_LIMIT_ENABLED: boolean('RATE_LIMIT_ENABLED'),
  RATE_LIMIT_STORE: oneOf('RATE_LIMIT_STORE', ['memory', 'redis', 'database']).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'REDIS_URL must look like redis://127.0.0.1:6379')
    .optional(),
  RATE_LIMIT_IP_MAX: integer('RATE_LIMIT_IP_MAX', 1, 1_000_000),
  RATE_LIMIT_IP_WINDOW: duration('RATE_LIMIT_IP_WINDOW'),
  RATE_LIMIT_ACCOUNT_MAX: integer('RATE_LIMIT_ACCOUNT_MAX', 1, 1_000_000),
  RATE_LIMIT_ACCOUNT_WINDOW: duration('RATE_LIMIT_ACCOUNT_WINDOW'),
  RATE_LIMIT_ACCOUNT_GLOBAL_MAX: integer('RATE_LIMIT_ACCOUNT_GLOBAL_MAX', 1, 1_000_000, 100),
  RATE_LIMIT_BLOCK_MAX: duration('RATE_LIMIT_BLOCK_MAX'),
  PASSWORD_MIN_LENGTH: integer('PASSWORD_MIN_LENGTH', 1, 64),
  PASSWORD_CHECK_COMMON: boolean('PASSWORD_CHECK_COMMON'),
  PASSWORD_MIN_SCORE: integer('PASSWORD_MIN_SCORE', 0, 4),
  PASSWORD_CHECK_THREADS: integer('PASSWORD_CHECK_THREADS', 1, 64, Math.max(1, Math.floor(availableParallelism() / 2))),
  PASSWORD_CHECK_QUEUE: integer('PASSWORD_CHECK_QUEUE', 1, 100_000, 64),
  RESET_TOKEN_DELIVERY: oneOf('RESET_TOKEN_DELIVERY', ['response', 'webhook']),
  RESET_WEBHOOK_URL: z
    .string()
    .regex(/^https?:\/\/.+/, 'RESET_WEBHOOK_URL must be an http(s) URL')
    .optional(),
});

/** Reads and validates the settings from an environment (default `process.env`); throws {@link ConfigError} listing every bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as in most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const profileName = present['SESAME_PROFILE'] ?? 'development';
  const defaults = PROFILE_DEFAULTS[profileName as Profile] ?? PROFILE_DEFAULTS.development;
  const parsed = envSchema.safeParse({ ...defaults, SESAME_PROFILE: 'development', ...present });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  const e = parsed.data;
  const config: Config = {
    profile: e.SESAME_PROFILE,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    bcryptCost: e.BCRYPT_COST,
    sessionTtlMs: e.SESSION_TTL,
    sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT,
    resetTokenTtlMs: e.RESET_TOKEN_TTL,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    cookieName: e.COOKIE_NAME,
    tokenFormat: e.TOKEN_FORMAT,
    sweepIntervalMs: e.SWEEP_INTERVAL,
    workers: e.WORKERS,
    trustedOrigins: e.TRUSTED_ORIGINS,
    csrfProtection: e.CSRF_PROTECTION,
    metricsEnabled: e.METRICS_ENABLED,
    trustProxy: e.TRUST_PROXY,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      // Counters must be shared wherever more than one process answers: Redis when given, else the database.
      store: e.RATE_LIMIT_STORE ?? (e.REDIS_URL !== undefined ? 'redis' : e.WORKERS > 1 ? 'database' : 'memory'),
      ipMax: e.RATE_LIMIT_IP_MAX,
      ipWindowMs: e.RATE_LIMIT_IP_WINDOW,
      accountMax: e.RATE_LIMIT_ACCOUNT_MAX,
      accountWindowMs: e.RATE_LIMIT_ACCOUNT_WINDOW,
      accountGlobalMax: e.RATE_LIMIT_ACCOUNT_GLOBAL_MAX,
      blockMaxMs: e.RATE_LIMIT_BLOCK_MAX,
    },
    redisUrl: e.REDIS_URL,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    passwordCheckCommon: e.PASSWORD_CHECK_COMMON,
    passwordMinScore: e.PASSWORD_MIN_SCORE,
    passwordCheckThreads: e.PASSWORD_CHECK_THREADS,
    passwordCheckQueue: e.PASSWORD_CHECK_QUEUE,
    resetTokenDelivery: e.RESET_TOKEN_DELIVERY,
    resetWebhookUrl: e.RESET_WEBHOOK_URL,
  };
  const problems = crossChecks(config);
  if (config.profile === 'production') {
    problems.push(
      ...unsafeProductionSettings({
        ...config,
        rateLimitEnabled: config.rateLimit.enabled,
        rateLimitStore: config.rateLimit.store,
      }).map((p) => `SESAME_PROFILE=production refuses an unsafe setting: ${p}`),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Combinations that are wrong in any profile. */
function crossChecks(c: Config): string[] {
  const problems: string[] = [];
  if (c.rateLimit.store === 'redis' && c.redisUrl === undefined) problems.push('RATE_LIMIT_STORE=redis needs REDIS_URL');
  if (c.sessionIdleTimeoutMs >= c.sessionTtlMs) problems.push('SESSION_IDLE_TIMEOUT must be shorter than SESSION_TTL (or off)');
  if ((c.cookieName.startsWith('__Host-') || c.cookieName.startsWith('__Secure-')) && !c.cookieSecure) {
    problems.push(`COOKIE_NAME=${c.cookieName} needs COOKIE_SECURE=true: browsers drop a prefixed cookie that is not Secure`);
  }
  if (c.resetTokenDelivery === 'webhook' && c.resetWebhookUrl === undefined) {
    problems.push('RESET_TOKEN_DELIVERY=webhook needs RESET_WEBHOOK_URL (where Sesame posts {email, reset_token} for your mailer)');
  }
  return problems;
}
