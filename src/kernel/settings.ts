/**
 * The kernel's own settings: where the database is, how tokens are drawn, how often expired rows are swept, and how
 * much is logged. Each module declares its settings beside its code in the same way.
 * @module
 */
import { z } from 'zod';
import { defineConfig } from './config/fragment.js';
import { duration, oneOf } from './config/fields.js';
import type { LogLevel } from './logging.js';
import type { TokenFormat } from './tokens.js';

/** `DATABASE_URL`: SQLite (the embedded default) or PostgreSQL. */
export const databaseConfig = defineConfig({
  env: {
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/sesame.db')
      .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(url), { message: 'DATABASE_URL must be sqlite:PATH or postgres://USER@HOST:PORT/DB' }),
  },
  build: (env): { readonly url: string } => ({ url: env.DATABASE_URL }),
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
