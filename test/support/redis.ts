/**
 * Redis availability for suites that need the shared rate-limit store: probed once, skipped with the reason locally, failed under CI.
 * @module
 */
import { Redis } from 'ioredis';
import type { Availability } from './engines.js';

/** Redis URL the suites use (`TEST_REDIS_URL`, default the machine's own server). */
export const redisUrl: string = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Pings Redis once with a short timeout. */
async function probeRedis(): Promise<Availability> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      reason: `Redis at ${redisUrl} is unreachable (${error instanceof Error ? error.message : String(error)}): start it with \`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\``,
    };
  } finally {
    client.disconnect();
  }
}

/** Whether Redis answered the probe (run once when this module loads). */
export const redisAvailability: Availability = await probeRedis();
