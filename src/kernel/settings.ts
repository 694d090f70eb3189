/**
 * The kernel's own settings: where the database is, how tokens are drawn, how often expired rows are swept, and how
 * much is logged. Each module declares its settings beside its code in the same way.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from './config/fragment.js';
import { tablePrefixProblem } from './database/table-prefix.js';
import { boolean, duration, integer, oneOf } from './config/fields.js';
import type { LogLevel } from './logging.js';
import type { TokenFormat } from './tokens.js';

/** Where the database is and how long Sesame waits for it. */
export interface DatabaseConfig {
  /** `sqlite:PATH` or `postgres://...`. */
  readonly url: string;
  /** PostgreSQL: how long to wait for a connection, in ms. */
  readonly connectTimeoutMs: number;
  /** PostgreSQL: the longest a statement may run, in ms. */
  readonly statementTimeoutMs: number;
  /** PostgreSQL: how long an idle pooled connection is kept, in ms. */
  readonly idleTimeoutMs: number;
  /** How long start-up waits for the database to answer before giving up, in ms. */
  readonly startupWaitMs: number;
  /** SQLite: how long a write waits for another process's lock before the request gets 503, in ms. */
  readonly busyTimeoutMs: number;
  /** PostgreSQL: most connections this instance opens (its pool, shared by the stores and the rate-limit store). */
  readonly poolSize: number;
  /** PostgreSQL: send queries as named prepared statements (off behind a pooler in transaction mode). */
  readonly preparedStatements: boolean;
  /** Put before every table, index and constraint name Sesame creates (empty: none, as databases made before it). */
  readonly tablePrefix: string;
}

/** `DATABASE_URL` and the database's time limits. */
export const databaseConfig = defineConfig({
  env: {
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/sesame.db')
      .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url), { message: 'DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DB' }),
    DATABASE_CONNECT_TIMEOUT: duration('DATABASE_CONNECT_TIMEOUT', '1s'),
    DATABASE_STATEMENT_TIMEOUT: duration('DATABASE_STATEMENT_TIMEOUT', '1500ms'),
    DATABASE_IDLE_TIMEOUT: duration('DATABASE_IDLE_TIMEOUT', '30s'),
    DATABASE_STARTUP_WAIT: duration('DATABASE_STARTUP_WAIT', '30s', { allowZero: true }),
    DATABASE_BUSY_TIMEOUT: duration('DATABASE_BUSY_TIMEOUT', '5s'),
    DATABASE_POOL_SIZE: integer('DATABASE_POOL_SIZE', 1, 1000, 10),
    DATABASE_PREPARED_STATEMENTS: boolean('DATABASE_PREPARED_STATEMENTS').default(true),
    DATABASE_TABLE_PREFIX: z
      .string()
      .default('')
      .superRefine((prefix, ctx) => {
        const problem = tablePrefixProblem(prefix);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `DATABASE_TABLE_PREFIX ${problem}` });
      }),
  },
  build: (env): DatabaseConfig => ({
    url: env.DATABASE_URL,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT,
    idleTimeoutMs: env.DATABASE_IDLE_TIMEOUT,
    startupWaitMs: env.DATABASE_STARTUP_WAIT,
    busyTimeoutMs: env.DATABASE_BUSY_TIMEOUT,
    poolSize: env.DATABASE_POOL_SIZE,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    tablePrefix: env.DATABASE_TABLE_PREFIX,
  }),
});

/** `TOKEN_FORMAT`: the seed's UUID shape, or 256 random bits (production). */
export const tokensConfig = defineConfig({
  env: { TOKEN_FORMAT: oneOf('TOKEN_FORMAT', ['uuid', 'random']) },
  defaults: { development: { TOKEN_FORMAT: 'uuid' }, production: { TOKEN_FORMAT: 'random' } },
  build: (env): { readonly format: TokenFormat } => ({ format: env.TOKEN_FORMAT }),
  refuseInProduction: (tokens) =>
    tokens.format === 'uuid' ? ['set TOKEN_FORMAT=random: a v4 UUID carries 122 random bits, under the 128 OWASP ASVS 7.2.3 asks of session tokens'] : [],
});

/** `SWEEP_INTERVAL`: how often expired rows are deleted. */
export const sweeperConfig = defineConfig({
  env: { SWEEP_INTERVAL: duration('SWEEP_INTERVAL', '10m') },
  build: (env): { readonly intervalMs: number } => ({ intervalMs: env.SWEEP_INTERVAL }),
});

/** `LOG_LEVEL`. */
export const logConfig = defineConfig({
  env: { LOG_LEVEL: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') },
  build: (env): { readonly level: LogLevel } => ({ level: env.LOG_LEVEL }),
  refuseInProduction: (log) => (log.level === 'trace' ? ['set LOG_LEVEL to debug or higher: trace logging is for development only'] : []),
});
