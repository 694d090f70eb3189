/**
 * The rate-limits module's settings: whether limits run, where counters live, and the counts and windows.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from '../../kernel/config/fragment.js';
import { boolean, duration, integer, oneOf } from '../../kernel/config/fields.js';
import type { RateLimitPolicy } from './rate-limits.js';

/** Where rate-limit counters live: one process's memory, Redis, or the service's own database. */
export type RateLimitStoreKind = 'memory' | 'redis' | 'database';

/** Rate-limit settings: the policy's counts and windows, whether limits run, and where counters live. */
export interface RateLimitConfig extends RateLimitPolicy {
  /** Whether the credential routes are limited at all. */
  readonly enabled: boolean;
  /** Where counters live. */
  readonly store: RateLimitStoreKind;
  /** Redis, for counters shared by several machines. */
  readonly redisUrl: string | undefined;
  /** How long one Redis command may take before the counters fall back to memory for it, in ms. */
  readonly redisCommandTimeoutMs: number;
  /**
   * What every key Sesame writes to Redis starts with, so several deployments (or other apps) can share one Redis;
   * empty by default, which is where counters have always been, so an upgrade keeps them.
   */
  readonly redisKeyPrefix: string;
}

/** `RATE_LIMIT_*` and `REDIS_*`. */
export const rateLimitsConfig = defineConfig({
  env: {
    RATE_LIMIT_ENABLED: boolean('RATE_LIMIT_ENABLED'),
    RATE_LIMIT_STORE: oneOf('RATE_LIMIT_STORE', ['memory', 'redis', 'database']).optional(),
    REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'REDIS_URL must look like redis://127.0.0.1:6379').optional(),
    REDIS_COMMAND_TIMEOUT: duration('REDIS_COMMAND_TIMEOUT', '500ms'),
    // Printable and space-free, so a key stays one token in redis-cli and a SCAN pattern.
    REDIS_KEY_PREFIX: z
      .string()
      .max(64, 'REDIS_KEY_PREFIX must be at most 64 characters')
      .regex(/^[\x21-\x7e]*$/, 'REDIS_KEY_PREFIX must be printable ASCII without spaces, e.g. sesame:')
      .default(''),
    RATE_LIMIT_IP_MAX: integer('RATE_LIMIT_IP_MAX', 1, 1_000_000),
    RATE_LIMIT_IP_WINDOW: duration('RATE_LIMIT_IP_WINDOW'),
    RATE_LIMIT_ACCOUNT_MAX: integer('RATE_LIMIT_ACCOUNT_MAX', 1, 1_000_000),
    RATE_LIMIT_ACCOUNT_WINDOW: duration('RATE_LIMIT_ACCOUNT_WINDOW'),
    RATE_LIMIT_ACCOUNT_GLOBAL_MAX: integer('RATE_LIMIT_ACCOUNT_GLOBAL_MAX', 1, 1_000_000, 100),
    RATE_LIMIT_BLOCK_MAX: duration('RATE_LIMIT_BLOCK_MAX'),
  },
  defaults: {
    development: {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_IP_MAX: '1000',
      RATE_LIMIT_IP_WINDOW: '1m',
      RATE_LIMIT_ACCOUNT_MAX: '10',
      RATE_LIMIT_ACCOUNT_WINDOW: '15m',
      RATE_LIMIT_BLOCK_MAX: '1h',
    },
    production: {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_IP_MAX: '60',
      RATE_LIMIT_IP_WINDOW: '1m',
      RATE_LIMIT_ACCOUNT_MAX: '5',
      RATE_LIMIT_ACCOUNT_WINDOW: '15m',
      RATE_LIMIT_BLOCK_MAX: '1h',
    },
  },
  build: (env, settings): RateLimitConfig => ({
    enabled: env.RATE_LIMIT_ENABLED,
    // Counters must be shared wherever more than one process answers: Redis when given, else the database.
    store: env.RATE_LIMIT_STORE ?? (env.REDIS_URL !== undefined ? 'redis' : Number(settings['WORKERS'] ?? 1) > 1 ? 'database' : 'memory'),
    redisUrl: env.REDIS_URL,
    redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    ipMax: env.RATE_LIMIT_IP_MAX,
    ipWindowMs: env.RATE_LIMIT_IP_WINDOW,
    accountMax: env.RATE_LIMIT_ACCOUNT_MAX,
    accountWindowMs: env.RATE_LIMIT_ACCOUNT_WINDOW,
    accountGlobalMax: env.RATE_LIMIT_ACCOUNT_GLOBAL_MAX,
    blockMaxMs: env.RATE_LIMIT_BLOCK_MAX,
  }),
  check: (limits) => (limits.store === 'redis' && limits.redisUrl === undefined ? ['RATE_LIMIT_STORE=redis needs REDIS_URL'] : []),
  refuseInProduction(limits, { settings }) {
    if (!limits.enabled) return ['set RATE_LIMIT_ENABLED=true: without limits passwords can be guessed at full speed'];
    if (Number(settings['WORKERS'] ?? 1) > 1 && limits.store === 'memory') {
      return ['set RATE_LIMIT_STORE=database or redis: with WORKERS > 1 an in-memory limit is counted per process'];
    }
    return [];
  },
});
