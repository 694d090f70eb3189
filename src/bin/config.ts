/**
 * The standalone server's settings: where it listens, how many processes answer, and which proxies it believes.
 * @module
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { defineConfig } from '../kernel/config/fragment.js';
import { duration, integer } from '../kernel/config/fields.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

/** What the standalone server is configured with. */
export interface ServerConfig {
  /** TCP port (0 picks a free one). */
  readonly port: number;
  /** Interface to bind. */
  readonly host: string;
  /** Server processes sharing the port. */
  readonly workers: number;
  /** Whose `X-Forwarded-*` headers to believe (see `trust-proxy.ts`). */
  readonly trustProxy: TrustProxy;
  /** The longest a client may take to send a whole request (headers and body), in ms. */
  readonly requestTimeoutMs: number;
  /** The longest a client may take to send its headers, in ms. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open, in ms. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections one process accepts at most; more are closed at once. */
  readonly maxConnections: number;
  /** How long a stop signal waits for requests in flight before the process exits anyway, in ms. */
  readonly shutdownTimeoutMs: number;
}

/** `PORT`, `HOST`, `WORKERS` and `TRUST_PROXY`. */
export const serverConfig = defineConfig({
  env: {
    PORT: integer('PORT', 0, 65535, 5000),
    HOST: z.string().min(1, 'HOST must not be empty').default('127.0.0.1'),
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
    TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
    REQUEST_TIMEOUT: duration('REQUEST_TIMEOUT', '10s'),
    HEADERS_TIMEOUT: duration('HEADERS_TIMEOUT', '5s'),
    KEEP_ALIVE_TIMEOUT: duration('KEEP_ALIVE_TIMEOUT', '72s'),
    MAX_CONNECTIONS: integer('MAX_CONNECTIONS', 1, 1_000_000, 4096),
    SHUTDOWN_TIMEOUT: duration('SHUTDOWN_TIMEOUT', '10s'),
  },
  build: (env): ServerConfig => ({
    port: env.PORT,
    host: env.HOST,
    workers: env.WORKERS,
    trustProxy: env.TRUST_PROXY,
    requestTimeoutMs: env.REQUEST_TIMEOUT,
    headersTimeoutMs: env.HEADERS_TIMEOUT,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT,
    maxConnections: env.MAX_CONNECTIONS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
  }),
  // Node requires it, and it is what the words mean: the headers are part of the request.
  check: (server) => (server.headersTimeoutMs > server.requestTimeoutMs ? ['HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT'] : []),
});
