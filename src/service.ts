/**
 * Wires the whole standalone service from a validated config: storage, DB, Auth, limits, reset delivery and the app, with one close() that releases them all.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from './app.js';
import { Auth, type AuthOptions } from './auth/auth.js';
import { startExpirySweeper } from './auth/sweeper.js';
import type { Config } from './config/config.js';
import { DB } from './db/db.js';
import { openStorage, redactUrl } from './db/storage.js';
import { webhookSender } from './delivery/reset-webhook.js';
import type { LimiterStore } from './limits/limiter-factory.js';
import { RateLimits } from './limits/rate-limits.js';

/** Optional extras for {@link createService}. */
export interface ServiceOptions {
  /** Where log lines go (default stdout); tests capture the log through it. */
  readonly logStream?: NodeJS.WritableStream;
}

/** The Auth settings a config selects, so every place that wires Auth from a config wires it alike. */
export function authOptionsFrom(config: Config): AuthOptions {
  return {
    bcryptCost: config.bcryptCost,
    sessionTtlMs: config.sessionTtlMs,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutMs,
    resetTokenTtlMs: config.resetTokenTtlMs,
    tokenFormat: config.tokenFormat,
    passwordPolicy: {
      minLength: config.passwordMinLength,
      checkCommon: config.passwordCheckCommon,
      minScore: config.passwordMinScore,
      strength: { threads: config.passwordCheckThreads, maxQueue: config.passwordCheckQueue },
    },
  };
}

/** Builds the ready-to-listen app; closing the app closes the database, Redis and the sweeper too. */
export async function createService(config: Config, options: ServiceOptions = {}): Promise<FastifyInstance> {
  const storage = await openStorage(config.databaseUrl);
  const redis = config.rateLimit.enabled && config.rateLimit.store === 'redis' && config.redisUrl !== undefined
    ? await connectRedis(config.redisUrl)
    : undefined;
  const store: LimiterStore =
    redis !== undefined
      ? { kind: 'redis', client: redis }
      : config.rateLimit.store === 'database'
        ? { kind: 'database', client: storage.client }
        : { kind: 'memory' };
  const auth = new Auth(DB.fromStorage(storage), authOptionsFrom(config));
  const app = await buildApp({
    auth,
    config,
    limits: config.rateLimit.enabled ? new RateLimits(store, config.rateLimit) : undefined,
    sendResetToken: config.resetWebhookUrl !== undefined && config.resetTokenDelivery === 'webhook'
      ? webhookSender(config.resetWebhookUrl)
      : undefined,
    logStream: options.logStream,
  });
  redis?.on('error', (error: Error) => app.log.warn({ err: error }, 'redis unavailable: rate limits count in memory meanwhile'));
  if (redis !== undefined && redis.status !== 'ready') app.log.warn('redis not reachable at start: rate limits count in memory until it is');
  const stopSweeper = startExpirySweeper(auth, config.sweepIntervalMs, app.log);
  app.addHook('onClose', async () => {
    stopSweeper();
    await auth.close();
    redis?.disconnect();
    await storage.close();
  });
  app.log.info(
    { database: redactUrl(config.databaseUrl), engine: storage.engine, profile: config.profile, rateLimitStore: store.kind },
    'sesame configured',
  );
  return app;
}

/**
 * Opens the Redis client and waits (at most 3 s) until it is ready, so the first requests are counted in Redis and
 * shared with the other instances; if Redis is down, the service still starts and counts in memory meanwhile.
 */
async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}
