/**
 * Settings from environment variables, validated once at start-up so a bad value stops the service with a clear message.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** Every setting Sesame reads, already parsed and checked. */
export interface Config {
  /** TCP port to listen on (`PORT`, default 5000; 0 picks a free one). */
  readonly port: number;
  /** Interface to bind (`HOST`, default 127.0.0.1: not reachable from other machines until asked). */
  readonly host: string;
  /** `sqlite:PATH` or `postgres://...` (`DATABASE_URL`, default `sqlite:./data/sesame.db`). */
  readonly databaseUrl: string;
  /** Bcrypt cost for new hashes (`BCRYPT_COST`, default 12). */
  readonly bcryptCost: number;
  /** Session lifetime in ms (`SESSION_TTL`, default 7d). */
  readonly sessionTtlMs: number;
  /** Reset-token lifetime in ms (`RESET_TOKEN_TTL`, default 30m). */
  readonly resetTokenTtlMs: number;
  /** Pino level (`LOG_LEVEL`, default info). */
  readonly logLevel: LogLevel;
  /** Send the session cookie only over HTTPS (`COOKIE_SECURE`, default false). */
  readonly cookieSecure: boolean;
  /** How often expired sessions and reset tokens are purged, in ms (`SWEEP_INTERVAL`, default 10m). */
  readonly sweepIntervalMs: number;
}

/** Pino's level names, plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Raised for an environment that cannot be turned into a {@link Config}; its message lists every bad setting. */
export class ConfigError extends Error {
  /** Builds the error from the list of problems, one line each. */
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** A zod field for a duration setting, with a message naming the accepted forms. */
function duration(name: string, fallback: string) {
  return z
    .string()
    .default(fallback)
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
function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
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
function boolean(name: string, fallback: boolean) {
  return z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const value = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
      return z.NEVER;
    });
}

const envSchema = z.object({
  PORT: integer('PORT', 5000, 0, 65535),
  HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/sesame.db')
    .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url), {
      message: 'DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DB',
    }),
  BCRYPT_COST: integer('BCRYPT_COST', 12, 4, 31),
  SESSION_TTL: duration('SESSION_TTL', '7d'),
  RESET_TOKEN_TTL: duration('RESET_TOKEN_TTL', '30m'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  COOKIE_SECURE: boolean('COOKIE_SECURE', false),
  SWEEP_INTERVAL: duration('SWEEP_INTERVAL', '10m'),
});

/** Reads and validates the settings from an environment (default `process.env`); throws {@link ConfigError} listing every bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as in most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    bcryptCost: e.BCRYPT_COST,
    sessionTtlMs: e.SESSION_TTL,
    resetTokenTtlMs: e.RESET_TOKEN_TTL,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    sweepIntervalMs: e.SWEEP_INTERVAL,
  };
}
